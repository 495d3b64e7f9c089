// The workspace itself and its one datastore (the default blob store in Azurite), as ARM resources.
import type { EmulatorContext } from '../context';
import { notFound } from '../errors';
import { PROVIDER, armChild, systemData, workspaceId } from '../ids';

export const DEFAULT_DATASTORE = 'workspaceblobstore';

const CREATED = new Date(0).toISOString();
const TENANT = '00000000-0000-0000-0000-000000000000';

export function workspace(ctx: EmulatorContext) {
  const { ws } = ctx;
  const host = new URL(ctx.baseUrl()).host;
  const group = `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers`;
  return {
    id: workspaceId(ws),
    name: ws.workspaceName,
    type: `${PROVIDER}/workspaces`,
    location: ws.location,
    tags: {},
    identity: { type: 'SystemAssigned', principalId: ctx.workspaceGuid, tenantId: TENANT },
    sku: { name: 'Basic', tier: 'Basic' },
    systemData: systemData(CREATED),
    properties: {
      workspaceId: ctx.workspaceGuid,
      friendlyName: ws.workspaceName,
      description: 'amlops local workspace',
      storageAccount: `${group}/Microsoft.Storage/storageAccounts/${ctx.blobs.connection.accountName}`,
      keyVault: `${group}/Microsoft.KeyVault/vaults/local`,
      applicationInsights: `${group}/Microsoft.Insights/components/local`,
      discoveryUrl: `${ctx.baseUrl()}/discovery`,
      // Azure's form: azureml://{region}.api.azureml.ms/mlflow/v1.0/{workspace id}; clients read azureml:// as https.
      mlFlowTrackingUri: `azureml://${host}/mlflow/v1.0${workspaceId(ws)}`,
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Enabled',
      hbiWorkspace: false,
      v1LegacyMode: false,
      storageHnsEnabled: false,
      tenantId: TENANT,
    },
  };
}

export type Datastore = ReturnType<typeof defaultDatastore>;

function defaultDatastore(ctx: EmulatorContext) {
  return {
    ...armChild(ctx.ws, 'datastores', DEFAULT_DATASTORE),
    systemData: systemData(CREATED),
    properties: {
      datastoreType: 'AzureBlob',
      accountName: ctx.blobs.connection.accountName,
      containerName: ctx.blobs.defaultContainer,
      endpoint: 'core.windows.net',
      protocol: 'https',
      credentials: { credentialsType: 'AccountKey' },
      isDefault: true,
      serviceDataAccessAuthIdentity: 'None',
      description: 'Default blob datastore of the local workspace (Azurite).',
      // Azurite is path-style (http://host:port/account), which endpoint+protocol cannot express: a tag has the URL.
      tags: { 'amlops.blobEndpoint': ctx.blobs.connection.blobEndpoint },
      properties: {},
    },
  };
}

export function getDatastore(ctx: EmulatorContext, name: string): Datastore | undefined {
  return name.toLowerCase() === DEFAULT_DATASTORE ? defaultDatastore(ctx) : undefined;
}

export function listDatastores(ctx: EmulatorContext): Datastore[] {
  return [defaultDatastore(ctx)];
}

export function listSecrets(ctx: EmulatorContext, name: string): { secretsType: 'AccountKey'; key: string } {
  if (!getDatastore(ctx, name)) throw notFound('datastore', name);
  return { secretsType: 'AccountKey', key: ctx.blobs.connection.accountKey };
}

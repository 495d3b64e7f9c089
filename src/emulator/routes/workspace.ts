// Workspace GET, datastores GET/list/listSecrets, and the LRO status routes the SDK's pollers call.
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { AzureError, notFound } from '../errors';
import { PROVIDER, WS_ROUTE, childId, childType, systemData, workspaceId } from '../ids';

export const DEFAULT_DATASTORE = 'workspaceblobstore';

export function registerWorkspaceRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { ws } = ctx;
  const created = new Date(0).toISOString();

  const workspace = () => {
    const host = new URL(ctx.baseUrl()).host;
    return {
      id: workspaceId(ws),
      name: ws.workspaceName,
      type: `${PROVIDER}/workspaces`,
      location: ws.location,
      tags: {},
      identity: { type: 'SystemAssigned', principalId: ctx.workspaceGuid, tenantId: '00000000-0000-0000-0000-000000000000' },
      sku: { name: 'Basic', tier: 'Basic' },
      systemData: systemData(created),
      properties: {
        workspaceId: ctx.workspaceGuid,
        friendlyName: ws.workspaceName,
        description: 'amlops local workspace',
        storageAccount: `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${ctx.blobs.connection.accountName}`,
        keyVault: `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.KeyVault/vaults/local`,
        applicationInsights: `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.Insights/components/local`,
        discoveryUrl: `${ctx.baseUrl()}/discovery`,
        // Azure's form: azureml://{region}.api.azureml.ms/mlflow/v1.0/{workspace id}; clients swap azureml:// for https://.
        mlFlowTrackingUri: `azureml://${host}/mlflow/v1.0${workspaceId(ws)}`,
        provisioningState: 'Succeeded',
        publicNetworkAccess: 'Enabled',
        hbiWorkspace: false,
        v1LegacyMode: false,
        storageHnsEnabled: false,
        tenantId: '00000000-0000-0000-0000-000000000000',
      },
    };
  };

  app.get(WS_ROUTE, { config: { operation: 'Workspaces_Get' } }, async () => workspace());
  app.get(
    `/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/${PROVIDER}/workspaces`,
    { config: { operation: 'Workspaces_ListByResourceGroup' } },
    async () => ({ value: [workspace()] }),
  );

  const datastore = () => ({
    id: childId(ws, 'datastores', DEFAULT_DATASTORE),
    name: DEFAULT_DATASTORE,
    type: childType('datastores'),
    systemData: systemData(created),
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
      // Azurite is path-style (http://host:port/account), which endpoint+protocol cannot express: the full URL rides in a tag.
      tags: { 'amlops.blobEndpoint': ctx.blobs.connection.blobEndpoint },
      properties: {},
    },
  });

  const requireDatastore = (name: string) => {
    if (name.toLowerCase() !== DEFAULT_DATASTORE) throw notFound('datastore', name);
  };

  app.get(`${WS_ROUTE}/datastores`, { config: { operation: 'Datastores_List' } }, async () => ({ value: [datastore()] }));
  app.get<{ Params: { name: string } }>(`${WS_ROUTE}/datastores/:name`, { config: { operation: 'Datastores_Get' } }, async (req) => {
    requireDatastore(req.params.name);
    return datastore();
  });
  app.post<{ Params: { name: string } }>(`${WS_ROUTE}/datastores/:name/listSecrets`, { config: { operation: 'Datastores_ListSecrets' } }, async (req) => {
    requireDatastore(req.params.name);
    return { secretsType: 'AccountKey', key: ctx.blobs.connection.accountKey };
  });

  const opRoute = `/subscriptions/:subscriptionId/providers/${PROVIDER}/locations/:location`;
  app.get<{ Params: { id: string } }>(`${opRoute}/mfeOperationsStatus/:id`, { config: { operation: 'OperationStatus_Get' } }, async (req) => {
    const op = ctx.ops.get(req.params.id);
    if (!op) throw notFound('operation', req.params.id);
    return op;
  });
  // Location-style polling: 202 while running, 200 when done (the SDK then reads the result, if any).
  app.get<{ Params: { id: string } }>(`${opRoute}/mfeOperationResults/:id`, { config: { operation: 'OperationResult_Get' } }, async (req, reply) => {
    const op = ctx.ops.get(req.params.id);
    if (!op) throw notFound('operation', req.params.id);
    if (op.status === 'InProgress') return reply.code(202).header('Location', `${ctx.baseUrl()}${req.url}`).send();
    if (op.status === 'Failed') throw new AzureError(400, op.error?.code ?? 'OperationFailed', op.error?.message ?? 'The operation failed.');
    return reply.code(200).send();
  });
}

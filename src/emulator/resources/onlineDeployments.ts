// Online deployments: each is one or more real scoring-server processes, provisioned from a registered model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { AzureError, badRequest, notFound } from '../errors';
import { armChild, rewrittenSystemData, type TrackedResource } from '../ids';
import { checkName, parse } from '../http';
import { readModelArtifact, requireModel } from './models';
import * as onlineEndpoints from './onlineEndpoints';
import { setProvisioningState } from './provisioning';

const DeploymentBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  kind: z.string().optional(),
  sku: z
    .object({
      name: z.string().default('Default'),
      tier: z.string().optional(),
      capacity: z.number().int().min(1).max(16).optional(),
    })
    .loose()
    .optional(),
  properties: z
    .object({
      endpointComputeType: z.literal('Managed', {
        message: "only 'Managed' deployments are supported by the local workspace",
      }),
      model: z
        .string({ message: 'model is required: the ARM id or azureml:{name}:{version} of a registered model' })
        .min(1),
      appInsightsEnabled: z.boolean().optional(),
      instanceType: z.string().optional(),
      description: z.string().optional(),
      properties: z.record(z.string(), z.string()).optional(),
      environmentId: z.string().optional(),
      environmentVariables: z.record(z.string(), z.string()).optional(),
      scaleSettings: z.object({ scaleType: z.string() }).loose().optional(),
      requestSettings: z.record(z.string(), z.unknown()).optional(),
      livenessProbe: z.record(z.string(), z.unknown()).optional(),
      readinessProbe: z.record(z.string(), z.unknown()).optional(),
      egressPublicNetworkAccess: z.string().optional(),
    })
    .loose(),
});
type DeploymentBody = z.infer<typeof DeploymentBody>;

const LogsBody = z.object({
  containerType: z.enum(['StorageInitializer', 'InferenceServer']).optional(),
  tail: z.number().int().min(1).max(100_000).optional(),
});

export interface StoredDeployment extends TrackedResource {
  sku: { name: string; tier?: string; capacity: number };
  properties: DeploymentBody['properties'] & {
    provisioningState: string;
    appInsightsEnabled: boolean;
    instanceType: string;
    scaleSettings: { scaleType: string };
  };
}

/** The parent endpoint, or 404 naming it. */
function endpointOf(ctx: EmulatorContext, ep: string): onlineEndpoints.StoredEndpoint {
  const e = onlineEndpoints.get(ctx, ep);
  if (!e) throw notFound('online endpoint', ep);
  return e;
}

export function get(ctx: EmulatorContext, ep: string, name: string): StoredDeployment | undefined {
  endpointOf(ctx, ep);
  return ctx.store.get<StoredDeployment>('onlineDeployments', `${ep}/${name}`);
}

export function list(ctx: EmulatorContext, ep: string): StoredDeployment[] {
  const e = endpointOf(ctx, ep);
  return ctx.store.list<StoredDeployment>('onlineDeployments', `${e.name}/`);
}

/** Downloads the model's artifact into the deployment's folder, where its scoring servers load it. */
async function fetchModel(ctx: EmulatorContext, endpoint: string, deployment: string, modelRef: string) {
  const { text, name, version } = await readModelArtifact(ctx, modelRef);
  const dir = ctx.deployments.dir(endpoint, deployment);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.json');
  writeFileSync(file, text);
  return { file, name, version };
}

/** Brings a stored deployment's processes up and records the outcome in provisioningState. */
async function provision(ctx: EmulatorContext, endpoint: string, name: string): Promise<void> {
  const key = `${endpoint}/${name}`;
  const d = ctx.store.get<StoredDeployment>('onlineDeployments', key);
  if (!d) return;
  try {
    const model = await fetchModel(ctx, endpoint, d.name, d.properties.model);
    await ctx.deployments.start(endpoint, d.name, {
      modelFile: model.file,
      modelName: model.name,
      modelVersion: model.version,
      instanceCount: d.sku.capacity,
      appInsightsEnabled: d.properties.appInsightsEnabled,
      environmentVariables: d.properties.environmentVariables,
    });
    setProvisioningState(ctx, 'onlineDeployments', key, 'Succeeded');
  } catch (err) {
    setProvisioningState(ctx, 'onlineDeployments', key, 'Failed');
    if (err instanceof AzureError) throw err;
    throw new AzureError(500, 'DeploymentFailed', `Deployment '${name}' failed to start: ${(err as Error).message}`);
  }
}

/** Stores the deployment Creating (or Updating); provisioning starts its scoring servers. */
export function createOrUpdate(
  ctx: EmulatorContext,
  ep: string,
  deploymentName: string,
  body: unknown,
): Upsert<StoredDeployment> {
  const e = endpointOf(ctx, ep);
  const name = checkName(deploymentName, 'deploymentName');
  const { location, tags, sku, properties } = parse(DeploymentBody, body);
  requireModel(ctx, properties.model);
  const key = `${e.name}/${name}`;
  const existing = ctx.store.get<StoredDeployment>('onlineDeployments', key);
  const state = existing?.properties.provisioningState;
  if (state === 'Creating' || state === 'Updating' || state === 'Deleting') {
    throw new AzureError(409, 'Conflict', `Deployment '${name}' is ${state}; wait for that operation to finish.`);
  }
  const d: StoredDeployment = {
    ...armChild(ctx.ws, 'onlineEndpoints', e.name, 'deployments', name),
    location: location ?? ctx.ws.location,
    tags: tags ?? existing?.tags ?? {},
    systemData: rewrittenSystemData(existing),
    sku: { name: sku?.name ?? 'Default', tier: sku?.tier ?? 'Standard', capacity: sku?.capacity ?? 1 },
    properties: {
      ...properties,
      appInsightsEnabled: properties.appInsightsEnabled ?? false,
      instanceType: properties.instanceType ?? 'Standard_DS3_v2',
      scaleSettings: properties.scaleSettings ?? { scaleType: 'Default' },
      egressPublicNetworkAccess: properties.egressPublicNetworkAccess ?? 'Enabled',
      provisioningState: existing ? 'Updating' : 'Creating',
    },
  };
  ctx.store.put('onlineDeployments', key, d);
  return { resource: d, created: !existing, provision: () => provision(ctx, e.name, name) };
}

/** A deployment taking live or mirror traffic cannot go; otherwise it is marked Deleting and its teardown stops it. */
export function remove(ctx: EmulatorContext, ep: string, name: string): Removal {
  const e = endpointOf(ctx, ep);
  const key = `${e.name}/${name}`;
  const d = ctx.store.get<StoredDeployment>('onlineDeployments', key);
  if (!d) return 'absent';
  const share = e.properties.traffic[d.name] ?? 0;
  if (share > 0) {
    const message = `Deployment '${d.name}' receives ${share}% of endpoint '${e.name}' traffic; set its traffic to 0`;
    throw badRequest(`${message} before deleting it.`, 'traffic', 'UserError');
  }
  const mirrored = e.properties.mirrorTraffic?.[d.name] ?? 0;
  if (mirrored > 0) {
    const message = `Deployment '${d.name}' receives ${mirrored}% mirror traffic; set it to 0 before deleting it.`;
    throw badRequest(message, 'mirrorTraffic', 'UserError');
  }
  setProvisioningState(ctx, 'onlineDeployments', key, 'Deleting');
  return async () => {
    await ctx.deployments.stop(e.name, d.name);
    ctx.store.delete('onlineDeployments', key);
  };
}

/** Where the model came from (StorageInitializer) or the scoring servers' own log lines (InferenceServer). */
export function getLogs(ctx: EmulatorContext, ep: string, name: string, body: unknown): { content: string } {
  const e = endpointOf(ctx, ep);
  const { containerType, tail } = parse(LogsBody, body);
  const d = ctx.store.get<StoredDeployment>('onlineDeployments', `${e.name}/${name}`);
  if (!d) throw notFound('online deployment', name);
  if (containerType === 'StorageInitializer') {
    return { content: `Model ${d.properties.model} downloaded to ${ctx.deployments.dir(e.name, d.name)}/model.json` };
  }
  return { content: ctx.deployments.logs(e.name, d.name, tail ?? 5000) };
}

/** Deployments that were serving before the restart come back in the background (scoring answers 503 until then). */
export async function recover(ctx: EmulatorContext): Promise<void> {
  const restarting = ctx.store
    .list<StoredDeployment>('onlineDeployments')
    .filter((d) => d.properties.provisioningState !== 'Deleting');
  await Promise.allSettled(
    restarting.map((d) => provision(ctx, d.id.split('/onlineEndpoints/')[1].split('/')[0], d.name)),
  );
}

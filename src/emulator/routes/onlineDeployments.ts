// Online deployments PUT/GET/list/DELETE/getLogs: each is one or more real scoring-server processes, provisioned as an LRO.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { AzureError, badRequest, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData, type TrackedResource } from '../ids';
import { checkName, parse, send } from '../http';
import { resolveAssetRef } from './assets';
import type { StoredEndpoint } from './onlineEndpoints';

const DeploymentBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  kind: z.string().optional(),
  sku: z.object({ name: z.string().default('Default'), tier: z.string().optional(), capacity: z.number().int().min(1).max(16).optional() }).loose().optional(),
  properties: z
    .object({
      endpointComputeType: z.literal('Managed', { message: "only 'Managed' deployments are supported by the local workspace" }),
      model: z.string({ message: 'model is required: the ARM id or azureml:{name}:{version} of a registered model' }).min(1),
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

export interface StoredDeployment extends TrackedResource {
  sku: { name: string; tier?: string; capacity: number };
  properties: DeploymentBody['properties'] & { provisioningState: string; appInsightsEnabled: boolean; instanceType: string; scaleSettings: { scaleType: string } };
}

/** Reads a registered model's ModelArtifact (model.json) from storage; fails with a readable reason. */
export async function readModelArtifact(ctx: EmulatorContext, modelRef: string): Promise<{ text: string; name: string; version: string }> {
  const version = resolveAssetRef(ctx, 'models', modelRef);
  if (!version) throw badRequest(`Model '${modelRef}' was not found in this workspace.`, 'properties.model', 'UserError');
  const arm = /\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(version.id);
  const uri = String(version.properties.modelUri);
  const ref = ctx.blobs.resolve(uri, 'properties.model');
  let path: string | undefined;
  if (/\.json$/i.test(ref.path) && (await ctx.blobs.exists(ref))) path = ref.path;
  else {
    const names = await ctx.blobs.listNames({ container: ref.container, path: ref.path.replace(/\/*$/, '/') });
    path = names.filter((n) => /(^|\/)model\.json$/i.test(n)).sort((a, b) => a.length - b.length)[0];
  }
  if (!path) throw new AzureError(400, 'ModelNotDeployable', `Model '${modelRef}' (${uri}) contains no model.json artifact the scoring server can load.`, 'properties.model');
  const text = await ctx.blobs.readText({ container: ref.container, path });
  let artifact: { format?: unknown };
  try {
    artifact = JSON.parse(text) as { format?: unknown };
  } catch {
    throw new AzureError(400, 'ModelNotDeployable', `Model '${modelRef}': ${path} is not valid JSON.`, 'properties.model');
  }
  if (artifact.format !== 'amlops-model') throw new AzureError(400, 'ModelNotDeployable', `Model '${modelRef}': ${path} is not an amlops model artifact (format must be 'amlops-model').`, 'properties.model');
  return { text, name: arm?.[1] ?? modelRef, version: arm?.[2] ?? '' };
}

/** Downloads the model's artifact into the deployment's folder, where its scoring servers load it. */
async function fetchModel(ctx: EmulatorContext, endpoint: string, deployment: string, modelRef: string): Promise<{ file: string; name: string; version: string }> {
  const { text, name, version } = await readModelArtifact(ctx, modelRef);
  const dir = ctx.deployments.dir(endpoint, deployment);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.json');
  writeFileSync(file, text);
  return { file, name, version };
}

/** Brings a stored deployment's processes up and records the outcome in provisioningState. */
export async function provisionDeployment(ctx: EmulatorContext, endpoint: string, name: string): Promise<void> {
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
    const cur = ctx.store.get<StoredDeployment>('onlineDeployments', key);
    if (cur) ctx.store.put('onlineDeployments', key, { ...cur, properties: { ...cur.properties, provisioningState: 'Succeeded' } });
  } catch (err) {
    const cur = ctx.store.get<StoredDeployment>('onlineDeployments', key);
    if (cur) ctx.store.put('onlineDeployments', key, { ...cur, properties: { ...cur.properties, provisioningState: 'Failed' } });
    if (err instanceof AzureError) throw err;
    throw new AzureError(500, 'DeploymentFailed', `Deployment '${name}' failed to start: ${(err as Error).message}`);
  }
}

export function registerOnlineDeploymentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const base = `${WS_ROUTE}/onlineEndpoints/:ep/deployments`;
  const path = `${base}/:d`;

  const endpointOf = (ep: string): StoredEndpoint => {
    const e = ctx.store.get<StoredEndpoint>('onlineEndpoints', ep);
    if (!e) throw notFound('online endpoint', ep);
    return e;
  };

  app.put<{ Params: { ep: string; d: string } }>(path, { config: { operation: 'OnlineDeployments_CreateOrUpdate' } }, async (req, reply) => {
    const e = endpointOf(req.params.ep);
    const name = checkName(req.params.d, 'deploymentName');
    const body = parse(DeploymentBody, req.body);
    if (!resolveAssetRef(ctx, 'models', body.properties.model)) throw badRequest(`Model '${body.properties.model}' was not found in this workspace.`, 'properties.model', 'UserError');
    const key = `${e.name}/${name}`;
    const existing = ctx.store.get<StoredDeployment>('onlineDeployments', key);
    if (existing && ['Creating', 'Updating', 'Deleting'].includes(existing.properties.provisioningState)) {
      throw new AzureError(409, 'Conflict', `Deployment '${name}' is ${existing.properties.provisioningState}; wait for that operation to finish.`);
    }
    const now = new Date().toISOString();
    const d: StoredDeployment = {
      id: childId(ctx.ws, 'onlineEndpoints', e.name, 'deployments', name),
      name,
      type: childType('onlineEndpoints', 'deployments'),
      location: body.location ?? ctx.ws.location,
      tags: body.tags ?? existing?.tags ?? {},
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      sku: { name: body.sku?.name ?? 'Default', tier: body.sku?.tier ?? 'Standard', capacity: body.sku?.capacity ?? 1 },
      properties: {
        ...body.properties,
        appInsightsEnabled: body.properties.appInsightsEnabled ?? false,
        instanceType: body.properties.instanceType ?? 'Standard_DS3_v2',
        scaleSettings: body.properties.scaleSettings ?? { scaleType: 'Default' },
        egressPublicNetworkAccess: body.properties.egressPublicNetworkAccess ?? 'Enabled',
        provisioningState: existing ? 'Updating' : 'Creating',
      },
    };
    ctx.store.put('onlineDeployments', key, d);
    const headers = ctx.ops.start(() => provisionDeployment(ctx, e.name, name));
    return send(reply, existing ? 200 : 201, d, headers);
  });

  app.get<{ Params: { ep: string; d: string } }>(path, { config: { operation: 'OnlineDeployments_Get' } }, async (req) => {
    endpointOf(req.params.ep);
    const d = ctx.store.get<StoredDeployment>('onlineDeployments', `${req.params.ep}/${req.params.d}`);
    if (!d) throw notFound('online deployment', req.params.d);
    return d;
  });

  app.get<{ Params: { ep: string } }>(base, { config: { operation: 'OnlineDeployments_List' } }, async (req) => {
    const e = endpointOf(req.params.ep);
    return { value: ctx.store.list<StoredDeployment>('onlineDeployments', `${e.name}/`) };
  });

  app.delete<{ Params: { ep: string; d: string } }>(path, { config: { operation: 'OnlineDeployments_Delete' } }, async (req, reply) => {
    const e = endpointOf(req.params.ep);
    const key = `${e.name}/${req.params.d}`;
    const d = ctx.store.get<StoredDeployment>('onlineDeployments', key);
    if (!d) return reply.code(204).send();
    if ((e.properties.traffic[d.name] ?? 0) > 0) {
      throw badRequest(`Deployment '${d.name}' receives ${e.properties.traffic[d.name]}% of endpoint '${e.name}' traffic; set its traffic to 0 before deleting it.`, 'traffic', 'UserError');
    }
    if ((e.properties.mirrorTraffic?.[d.name] ?? 0) > 0) {
      const share = e.properties.mirrorTraffic?.[d.name];
      const message = `Deployment '${d.name}' receives ${share}% mirror traffic; set it to 0 before deleting it.`;
      throw badRequest(message, 'mirrorTraffic', 'UserError');
    }
    ctx.store.put('onlineDeployments', key, { ...d, properties: { ...d.properties, provisioningState: 'Deleting' } });
    const headers = ctx.ops.start(async () => {
      await ctx.deployments.stop(e.name, d.name);
      ctx.store.delete('onlineDeployments', key);
    }, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });

  const LogsBody = z.object({ containerType: z.enum(['StorageInitializer', 'InferenceServer']).optional(), tail: z.number().int().min(1).max(100_000).optional() });
  app.post<{ Params: { ep: string; d: string } }>(`${path}/getLogs`, { config: { operation: 'OnlineDeployments_GetLogs' } }, async (req) => {
    const e = endpointOf(req.params.ep);
    const body = parse(LogsBody, req.body);
    const d = ctx.store.get<StoredDeployment>('onlineDeployments', `${e.name}/${req.params.d}`);
    if (!d) throw notFound('online deployment', req.params.d);
    if (body.containerType === 'StorageInitializer') return { content: `Model ${d.properties.model} downloaded to ${ctx.deployments.dir(e.name, d.name)}/model.json` };
    return { content: ctx.deployments.logs(e.name, d.name, body.tail ?? 5000) };
  });
}

// Online endpoints PUT/GET/list/DELETE, listKeys and regenerateKeys; create, update and delete are LROs.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { badRequest, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData, type TrackedResource } from '../ids';
import { parse, send } from '../http';
import { delay } from './computes';
import type { EndpointKeys } from '../serving/deployments';
import { checkMirrorTraffic } from '../mirror';

const EndpointName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/, 'must be 3-32 characters: a letter first, then letters, digits or -, not ending with -');

const EndpointBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  kind: z.string().optional(),
  identity: z.object({ type: z.string() }).loose().optional(),
  properties: z
    .object({
      authMode: z.enum(['Key', 'AMLToken'], { message: "authMode must be 'Key' or 'AMLToken' (AADToken is not supported locally)" }),
      description: z.string().optional(),
      properties: z.record(z.string(), z.string()).optional(),
      traffic: z.record(z.string(), z.number().int().min(0).max(100)).optional(),
      mirrorTraffic: z.record(z.string(), z.number().int().min(0).max(100)).optional(),
      publicNetworkAccess: z.string().optional(),
      compute: z.string().optional(),
    })
    .loose(),
});

export interface StoredEndpoint extends TrackedResource {
  kind?: string;
  identity: { type: string };
  properties: {
    authMode: string;
    description?: string;
    properties: Record<string, string>;
    traffic: Record<string, number>;
    mirrorTraffic?: Record<string, number>;
    scoringUri: string;
    swaggerUri: string;
    provisioningState: string;
    publicNetworkAccess: string;
  };
}

export const newKey = (): string => randomBytes(32).toString('base64url');

export function getKeys(ctx: EmulatorContext, endpoint: string): EndpointKeys | undefined {
  return ctx.store.get<EndpointKeys>('endpointKeys', endpoint);
}

/** Traffic must name existing deployments and add up to 0 or 100, as Azure requires. */
export function checkTraffic(ctx: EmulatorContext, endpoint: string, traffic: Record<string, number>, field: string): void {
  for (const d of Object.keys(traffic)) {
    if (!ctx.store.has('onlineDeployments', `${endpoint}/${d}`)) throw badRequest(`Traffic names deployment '${d}', which does not exist in endpoint '${endpoint}'.`, `${field}.${d}`, 'UserError');
  }
  const total = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (total !== 0 && total !== 100) throw badRequest(`Traffic values must add up to 0 or 100; they add up to ${total}.`, field, 'UserError');
}

export function registerOnlineEndpointRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const path = `${WS_ROUTE}/onlineEndpoints/:ep`;

  app.put<{ Params: { ep: string } }>(path, { config: { operation: 'OnlineEndpoints_CreateOrUpdate' } }, async (req, reply) => {
    const name = EndpointName.safeParse(req.params.ep);
    if (!name.success) throw badRequest(`Invalid endpoint name '${req.params.ep}': ${name.error.issues[0]?.message}`, 'endpointName', 'UserError');
    const body = parse(EndpointBody, req.body);
    const ep = req.params.ep;
    const existing = ctx.store.get<StoredEndpoint>('onlineEndpoints', ep);
    if (existing?.properties.provisioningState === 'Deleting') throw badRequest(`Endpoint '${ep}' is being deleted.`, 'endpointName', 'Conflict');
    const traffic = body.properties.traffic ?? existing?.properties.traffic ?? {};
    checkTraffic(ctx, ep, traffic, 'properties.traffic');
    if (body.properties.mirrorTraffic) checkMirrorTraffic(ctx, ep, body.properties.mirrorTraffic, traffic);
    const now = new Date().toISOString();
    const endpoint: StoredEndpoint = {
      id: childId(ctx.ws, 'onlineEndpoints', ep),
      name: existing?.name ?? ep,
      type: childType('onlineEndpoints'),
      location: body.location ?? ctx.ws.location,
      ...(body.kind ? { kind: body.kind } : {}),
      tags: body.tags ?? existing?.tags ?? {},
      identity: { type: body.identity?.type ?? 'SystemAssigned' },
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      properties: {
        authMode: body.properties.authMode,
        description: body.properties.description ?? existing?.properties.description,
        properties: body.properties.properties ?? existing?.properties.properties ?? {},
        traffic,
        ...(body.properties.mirrorTraffic ? { mirrorTraffic: body.properties.mirrorTraffic } : {}),
        scoringUri: `${ctx.baseUrl()}/inference/${ep}/score`,
        swaggerUri: `${ctx.baseUrl()}/inference/${ep}/swagger.json`,
        provisioningState: existing ? 'Updating' : 'Creating',
        publicNetworkAccess: body.properties.publicNetworkAccess ?? 'Enabled',
      },
    };
    ctx.store.put('onlineEndpoints', ep, endpoint);
    if (!getKeys(ctx, ep)) {
      const keys = { primaryKey: newKey(), secondaryKey: newKey() };
      ctx.store.put('endpointKeys', ep, keys);
      ctx.deployments.writeKeys(ep, keys);
    }
    const headers = ctx.ops.start(async () => {
      await delay(ctx.provisioningDelayMs);
      const cur = ctx.store.get<StoredEndpoint>('onlineEndpoints', ep);
      if (cur) ctx.store.put('onlineEndpoints', ep, { ...cur, properties: { ...cur.properties, provisioningState: 'Succeeded' } });
    });
    return send(reply, existing ? 200 : 201, endpoint, headers);
  });

  app.get<{ Params: { ep: string } }>(path, { config: { operation: 'OnlineEndpoints_Get' } }, async (req) => {
    const e = ctx.store.get<StoredEndpoint>('onlineEndpoints', req.params.ep);
    if (!e) throw notFound('online endpoint', req.params.ep);
    return e;
  });

  app.get(`${WS_ROUTE}/onlineEndpoints`, { config: { operation: 'OnlineEndpoints_List' } }, async () => ({ value: ctx.store.list<StoredEndpoint>('onlineEndpoints') }));

  app.delete<{ Params: { ep: string } }>(path, { config: { operation: 'OnlineEndpoints_Delete' } }, async (req, reply) => {
    const e = ctx.store.get<StoredEndpoint>('onlineEndpoints', req.params.ep);
    if (!e) return reply.code(204).send();
    ctx.store.put('onlineEndpoints', e.name, { ...e, properties: { ...e.properties, provisioningState: 'Deleting' } });
    const headers = ctx.ops.start(async () => {
      for (const d of ctx.store.list<{ name: string }>('onlineDeployments', `${e.name}/`)) {
        await ctx.deployments.stop(e.name, d.name);
        ctx.store.delete('onlineDeployments', `${e.name}/${d.name}`);
      }
      ctx.store.delete('endpointKeys', e.name);
      ctx.liveMetrics.forget(e.name);
      ctx.store.delete('onlineEndpoints', e.name);
    }, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });

  app.post<{ Params: { ep: string } }>(`${path}/listKeys`, { config: { operation: 'OnlineEndpoints_ListKeys' } }, async (req) => {
    const keys = getKeys(ctx, req.params.ep);
    if (!keys || !ctx.store.has('onlineEndpoints', req.params.ep)) throw notFound('online endpoint', req.params.ep);
    return keys;
  });

  const RegenerateBody = z.object({ keyType: z.enum(['Primary', 'Secondary']), keyValue: z.string().min(16).optional() });
  app.post<{ Params: { ep: string } }>(`${path}/regenerateKeys`, { config: { operation: 'OnlineEndpoints_RegenerateKeys' } }, async (req, reply) => {
    const body = parse(RegenerateBody, req.body);
    const ep = req.params.ep;
    const keys = getKeys(ctx, ep);
    if (!keys || !ctx.store.has('onlineEndpoints', ep)) throw notFound('online endpoint', ep);
    // The new key is in force when the answer goes out; the LRO is only Azure's envelope around it.
    const next = { ...keys, [body.keyType === 'Primary' ? 'primaryKey' : 'secondaryKey']: body.keyValue ?? newKey() };
    ctx.store.put('endpointKeys', ep, next);
    ctx.deployments.writeKeys(ep, next);
    const headers = ctx.ops.start(async () => {}, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });
}

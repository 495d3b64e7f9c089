// Online endpoints: name and body rules, keys, traffic and mirror traffic rules, routing, and teardown with their
// deployments and telemetry.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { badRequest, notFound } from '../errors';
import { armChild, rewrittenSystemData, type TrackedResource } from '../ids';
import { parse } from '../http';
import type { EndpointKeys } from '../serving/deployments';
import { setProvisioningState } from './provisioning';

const EndpointName = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/,
    'must be 3-32 characters: a letter first, then letters, digits or -, not ending with -',
  );

const Percentages = z.record(z.string(), z.number().int().min(0).max(100));

const EndpointBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  kind: z.string().optional(),
  identity: z.object({ type: z.string() }).loose().optional(),
  properties: z
    .object({
      authMode: z.enum(['Key', 'AMLToken'], {
        message: "authMode must be 'Key' or 'AMLToken' (AADToken is not supported locally)",
      }),
      description: z.string().optional(),
      properties: z.record(z.string(), z.string()).optional(),
      traffic: Percentages.optional(),
      mirrorTraffic: Percentages.optional(),
      publicNetworkAccess: z.string().optional(),
      compute: z.string().optional(),
    })
    .loose(),
});

const RegenerateBody = z.object({ keyType: z.enum(['Primary', 'Secondary']), keyValue: z.string().min(16).optional() });

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

const newKey = (): string => randomBytes(32).toString('base64url');

export function get(ctx: EmulatorContext, name: string): StoredEndpoint | undefined {
  return ctx.store.get<StoredEndpoint>('onlineEndpoints', name);
}

export function list(ctx: EmulatorContext): StoredEndpoint[] {
  return ctx.store.list<StoredEndpoint>('onlineEndpoints');
}

/** Whether the endpoint has a deployment of that name (deployments are stored under 'endpoint/deployment'). */
export function hasDeployment(ctx: EmulatorContext, endpoint: string, deployment: string): boolean {
  return ctx.store.has('onlineDeployments', `${endpoint}/${deployment}`);
}

/** Traffic must name existing deployments and add up to 0 or 100, as Azure requires. */
function checkTraffic(ctx: EmulatorContext, endpoint: string, traffic: Record<string, number>, field: string): void {
  for (const d of Object.keys(traffic)) {
    if (!hasDeployment(ctx, endpoint, d)) {
      const message = `Traffic names deployment '${d}', which does not exist in endpoint '${endpoint}'.`;
      throw badRequest(message, `${field}.${d}`, 'UserError');
    }
  }
  const total = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (total !== 0 && total !== 100) {
    throw badRequest(`Traffic values must add up to 0 or 100; they add up to ${total}.`, field, 'UserError');
  }
}

/**
 * From Azure ML's "Safe rollout for online endpoints": mirror traffic goes to one deployment only, at most 50%, and a
 * deployment takes live or mirror traffic, not both. (The 2024-10-01 spec: values "need to sum to utmost 50".)
 */
export const MAX_MIRROR_PERCENT = 50;

function checkMirrorTraffic(
  ctx: EmulatorContext,
  endpoint: string,
  mirror: Record<string, number>,
  traffic: Record<string, number>,
): void {
  const field = 'properties.mirrorTraffic';
  for (const [d, share] of Object.entries(mirror)) {
    if (!hasDeployment(ctx, endpoint, d)) {
      const message = `Mirror traffic names deployment '${d}', which does not exist in endpoint '${endpoint}'.`;
      throw badRequest(message, `${field}.${d}`, 'UserError');
    }
    if (share > 0 && (traffic[d] ?? 0) > 0) {
      throw badRequest(
        `Deployment '${d}' takes ${traffic[d]}% of live traffic; a deployment takes live or mirror traffic, not both.`,
        `${field}.${d}`,
        'UserError',
      );
    }
  }
  const mirrored = Object.entries(mirror).filter(([, share]) => share > 0);
  if (mirrored.length > 1) {
    const names = mirrored.map(([d]) => d).join(', ');
    throw badRequest(`Mirror traffic can go to one deployment only; it names ${names}.`, field, 'UserError');
  }
  const total = mirrored.reduce((a, [, share]) => a + share, 0);
  if (total > MAX_MIRROR_PERCENT) {
    throw badRequest(`Mirror traffic can be at most ${MAX_MIRROR_PERCENT}%; it is ${total}%.`, field, 'UserError');
  }
}

/** Stores the endpoint Creating (or Updating) with keys on first creation; provisioning marks it Succeeded. */
export function createOrUpdate(ctx: EmulatorContext, ep: string, body: unknown): Upsert<StoredEndpoint> {
  const name = EndpointName.safeParse(ep);
  if (!name.success) {
    throw badRequest(`Invalid endpoint name '${ep}': ${name.error.issues[0]?.message}`, 'endpointName', 'UserError');
  }
  const { location, kind, tags, identity, properties } = parse(EndpointBody, body);
  const existing = get(ctx, ep);
  if (existing?.properties.provisioningState === 'Deleting') {
    throw badRequest(`Endpoint '${ep}' is being deleted.`, 'endpointName', 'Conflict');
  }
  const traffic = properties.traffic ?? existing?.properties.traffic ?? {};
  checkTraffic(ctx, ep, traffic, 'properties.traffic');
  if (properties.mirrorTraffic) checkMirrorTraffic(ctx, ep, properties.mirrorTraffic, traffic);
  const endpoint: StoredEndpoint = {
    ...armChild(ctx.ws, 'onlineEndpoints', ep),
    name: existing?.name ?? ep,
    location: location ?? ctx.ws.location,
    ...(kind ? { kind } : {}),
    tags: tags ?? existing?.tags ?? {},
    identity: { type: identity?.type ?? 'SystemAssigned' },
    systemData: rewrittenSystemData(existing),
    properties: {
      authMode: properties.authMode,
      description: properties.description ?? existing?.properties.description,
      properties: properties.properties ?? existing?.properties.properties ?? {},
      traffic,
      ...(properties.mirrorTraffic ? { mirrorTraffic: properties.mirrorTraffic } : {}),
      scoringUri: `${ctx.baseUrl()}/inference/${ep}/score`,
      swaggerUri: `${ctx.baseUrl()}/inference/${ep}/swagger.json`,
      provisioningState: existing ? 'Updating' : 'Creating',
      publicNetworkAccess: properties.publicNetworkAccess ?? 'Enabled',
    },
  };
  ctx.store.put('onlineEndpoints', ep, endpoint);
  if (!getKeys(ctx, ep)) setKeys(ctx, ep, { primaryKey: newKey(), secondaryKey: newKey() });
  const provision = async () => {
    await delay(ctx.provisioningDelayMs);
    setProvisioningState(ctx, 'onlineEndpoints', ep, 'Succeeded');
  };
  return { resource: endpoint, created: !existing, provision };
}

/** Marks the endpoint Deleting; its teardown stops and forgets its deployments, then its keys, telemetry, itself. */
export function remove(ctx: EmulatorContext, name: string): Removal {
  const e = get(ctx, name);
  if (!e) return 'absent';
  setProvisioningState(ctx, 'onlineEndpoints', e.name, 'Deleting');
  return async () => {
    for (const d of ctx.store.list<{ name: string }>('onlineDeployments', `${e.name}/`)) {
      await ctx.deployments.stop(e.name, d.name);
      ctx.store.delete('onlineDeployments', `${e.name}/${d.name}`);
    }
    ctx.store.delete('endpointKeys', e.name);
    ctx.liveMetrics.forget(e.name);
    ctx.store.delete('onlineEndpoints', e.name);
  };
}

function getKeys(ctx: EmulatorContext, endpoint: string): EndpointKeys | undefined {
  return ctx.store.get<EndpointKeys>('endpointKeys', endpoint);
}

/** Keys are stored and written where the endpoint's scoring servers read them. */
function setKeys(ctx: EmulatorContext, endpoint: string, keys: EndpointKeys): void {
  ctx.store.put('endpointKeys', endpoint, keys);
  ctx.deployments.writeKeys(endpoint, keys);
}

export function listKeys(ctx: EmulatorContext, name: string): EndpointKeys {
  const keys = getKeys(ctx, name);
  if (!keys || !ctx.store.has('onlineEndpoints', name)) throw notFound('online endpoint', name);
  return keys;
}

/** Replaces one key (with a given value or a new random one); it is in force when this returns. */
export function regenerateKeys(ctx: EmulatorContext, name: string, body: unknown): void {
  const { keyType, keyValue } = parse(RegenerateBody, body);
  const keys = listKeys(ctx, name);
  setKeys(ctx, name, { ...keys, [keyType === 'Primary' ? 'primaryKey' : 'secondaryKey']: keyValue ?? newKey() });
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries one of the endpoint's keys (compared in constant time). */
export function acceptsKey(ctx: EmulatorContext, endpoint: string, authorization: string | undefined): boolean {
  const keys = getKeys(ctx, endpoint);
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  const given = m ? digest(m[1]) : undefined;
  return !!given && !!keys && [keys.primaryKey, keys.secondaryKey].some((k) => timingSafeEqual(digest(k), given));
}

/** Weighted random pick by traffic percentages; undefined when all traffic is 0. */
export function pickByTraffic(traffic: Record<string, number>, random = Math.random): string | undefined {
  const total = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  let r = random() * total;
  for (const [name, weight] of Object.entries(traffic)) {
    if (weight <= 0) continue;
    if (r < weight) return name;
    r -= weight;
  }
  return Object.entries(traffic).find(([, w]) => w > 0)?.[0];
}

// Computes PUT/GET/list/DELETE: AmlCompute clusters backed by local worker-slot pools; create and delete are LROs.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { badRequest, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData, type TrackedResource } from '../ids';
import { checkName, parse, send } from '../http';
import { isDuration, parseDurationSeconds } from '../durations';
import type { ScaleSettings } from '../compute/pool';

const ComputeBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.object({
    computeType: z.literal('AmlCompute', { message: "only 'AmlCompute' clusters are supported by the local workspace" }),
    description: z.string().optional(),
    properties: z
      .object({
        vmSize: z.string().optional(),
        vmPriority: z.enum(['Dedicated', 'LowPriority']).optional(),
        osType: z.string().optional(),
        scaleSettings: z
          .object({
            maxNodeCount: z.number().int().min(0).max(64),
            minNodeCount: z.number().int().min(0).optional(),
            nodeIdleTimeBeforeScaleDown: z.string().refine(isDuration, 'must be an ISO-8601 duration such as PT120S').optional(),
          })
          .optional(),
      })
      .loose()
      .optional(),
  }),
});
type ComputeBody = z.infer<typeof ComputeBody>;

export interface StoredCompute extends TrackedResource {
  properties: {
    computeType: 'AmlCompute';
    computeLocation: string;
    provisioningState: string;
    description?: string;
    createdOn: string;
    modifiedOn: string;
    isAttachedCompute: boolean;
    disableLocalAuth: boolean;
    provisioningErrors: null;
    properties: Record<string, unknown> & { scaleSettings: { maxNodeCount: number; minNodeCount: number; nodeIdleTimeBeforeScaleDown: string } };
  };
}

export function scaleOf(c: StoredCompute): ScaleSettings {
  const s = c.properties.properties.scaleSettings;
  return { minNodeCount: s.minNodeCount, maxNodeCount: s.maxNodeCount, idleSeconds: parseDurationSeconds(s.nodeIdleTimeBeforeScaleDown) ?? 120 };
}

export function registerComputeRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const path = `${WS_ROUTE}/computes/:name`;

  /** The stored resource plus live node counts from the pool. */
  const view = (c: StoredCompute) => {
    const pool = ctx.pools.get(c.name)?.state;
    const current = pool?.currentNodeCount ?? 0;
    const busy = pool?.busy ?? 0;
    return {
      ...c,
      properties: {
        ...c.properties,
        properties: {
          ...c.properties.properties,
          allocationState: 'Steady',
          allocationStateTransitionTime: c.properties.modifiedOn,
          currentNodeCount: current,
          targetNodeCount: current,
          nodeStateCounts: { idleNodeCount: current - busy, runningNodeCount: busy, preparingNodeCount: 0, unusableNodeCount: 0, leavingNodeCount: 0, preemptedNodeCount: 0 },
          errors: null,
        },
      },
    };
  };

  app.put<{ Params: { name: string } }>(path, { config: { operation: 'Compute_CreateOrUpdate' } }, async (req, reply) => {
    const name = checkName(req.params.name, 'computeName');
    const body: ComputeBody = parse(ComputeBody, req.body);
    const existing = ctx.store.get<StoredCompute>('computes', name);
    if (existing && existing.properties.provisioningState === 'Deleting') throw badRequest(`Compute '${name}' is being deleted.`, 'computeName', 'Conflict');
    const now = new Date().toISOString();
    const p = body.properties.properties ?? {};
    const scale = p.scaleSettings;
    const minNodeCount = scale?.minNodeCount ?? 0;
    const maxNodeCount = scale?.maxNodeCount ?? 4;
    if (minNodeCount > maxNodeCount) throw badRequest('minNodeCount must not exceed maxNodeCount.', 'properties.properties.scaleSettings.minNodeCount', 'UserError');
    const compute: StoredCompute = {
      id: childId(ctx.ws, 'computes', name),
      name,
      type: childType('computes'),
      location: body.location ?? ctx.ws.location,
      tags: body.tags ?? existing?.tags ?? {},
      systemData: systemData(existing?.properties.createdOn ?? now, now),
      properties: {
        computeType: 'AmlCompute',
        computeLocation: body.location ?? ctx.ws.location,
        provisioningState: existing ? 'Updating' : 'Creating',
        description: body.properties.description,
        createdOn: existing?.properties.createdOn ?? now,
        modifiedOn: now,
        isAttachedCompute: false,
        disableLocalAuth: false,
        provisioningErrors: null,
        properties: {
          ...p,
          osType: p.osType ?? 'Linux',
          vmSize: p.vmSize ?? 'STANDARD_DS3_V2',
          vmPriority: p.vmPriority ?? 'Dedicated',
          scaleSettings: { maxNodeCount, minNodeCount, nodeIdleTimeBeforeScaleDown: scale?.nodeIdleTimeBeforeScaleDown ?? 'PT120S' },
        },
      },
    };
    ctx.store.put('computes', name, compute);
    const headers = ctx.ops.start(async () => {
      await delay(ctx.provisioningDelayMs);
      const current = ctx.store.get<StoredCompute>('computes', name);
      if (!current) return;
      ctx.pools.ensure(name, scaleOf(current));
      ctx.store.put('computes', name, { ...current, properties: { ...current.properties, provisioningState: 'Succeeded' } });
    });
    return send(reply, existing ? 200 : 201, view(compute), headers);
  });

  app.get<{ Params: { name: string } }>(path, { config: { operation: 'Compute_Get' } }, async (req) => {
    const c = ctx.store.get<StoredCompute>('computes', req.params.name);
    if (!c) throw notFound('compute', req.params.name);
    return view(c);
  });

  app.get(`${WS_ROUTE}/computes`, { config: { operation: 'Compute_List' } }, async () => ({ value: ctx.store.list<StoredCompute>('computes').map(view) }));

  app.delete<{ Params: { name: string }; Querystring: { underlyingResourceAction?: string } }>(path, { config: { operation: 'Compute_Delete' } }, async (req, reply) => {
    const action = req.query.underlyingResourceAction;
    if (action !== 'Delete' && action !== 'Detach') throw badRequest("underlyingResourceAction must be 'Delete' or 'Detach'.", 'underlyingResourceAction');
    const c = ctx.store.get<StoredCompute>('computes', req.params.name);
    if (!c) return reply.code(204).send();
    ctx.store.put('computes', c.name, { ...c, properties: { ...c.properties, provisioningState: 'Deleting' } });
    const headers = ctx.ops.start(async () => {
      await delay(ctx.provisioningDelayMs);
      ctx.pools.remove(c.name);
      ctx.store.delete('computes', c.name);
    }, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Computes: AmlCompute clusters as ARM resources, each backed by a local pool of worker slots (compute/pool.ts).
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { badRequest } from '../errors';
import { armChild, systemData, type TrackedResource } from '../ids';
import { checkName, parse } from '../http';
import { isDuration, parseDurationSeconds } from '../durations';
import type { ScaleSettings } from '../compute/pool';
import { setProvisioningState } from './provisioning';

const ComputeBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.object({
    computeType: z.literal('AmlCompute', {
      message: "only 'AmlCompute' clusters are supported by the local workspace",
    }),
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
            nodeIdleTimeBeforeScaleDown: z
              .string()
              .refine(isDuration, 'must be an ISO-8601 duration such as PT120S')
              .optional(),
          })
          .optional(),
      })
      .loose()
      .optional(),
  }),
});

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
    properties: Record<string, unknown> & {
      scaleSettings: { maxNodeCount: number; minNodeCount: number; nodeIdleTimeBeforeScaleDown: string };
    };
  };
}

export function scaleOf(c: StoredCompute): ScaleSettings {
  const s = c.properties.properties.scaleSettings;
  const idleSeconds = parseDurationSeconds(s.nodeIdleTimeBeforeScaleDown) ?? 120;
  return { minNodeCount: s.minNodeCount, maxNodeCount: s.maxNodeCount, idleSeconds };
}

export function get(ctx: EmulatorContext, name: string): StoredCompute | undefined {
  return ctx.store.get<StoredCompute>('computes', name);
}

export function list(ctx: EmulatorContext): StoredCompute[] {
  return ctx.store.list<StoredCompute>('computes');
}

/** The stored resource plus live node counts from its pool. */
export function view(ctx: EmulatorContext, c: StoredCompute) {
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
        nodeStateCounts: {
          idleNodeCount: current - busy,
          runningNodeCount: busy,
          preparingNodeCount: 0,
          unusableNodeCount: 0,
          leavingNodeCount: 0,
          preemptedNodeCount: 0,
        },
        errors: null,
      },
    },
  };
}

/** Stores the cluster Creating (or Updating); provisioning sizes its pool and marks it Succeeded. */
export function createOrUpdate(ctx: EmulatorContext, computeName: string, body: unknown): Upsert<StoredCompute> {
  const name = checkName(computeName, 'computeName');
  const { location, tags, properties } = parse(ComputeBody, body);
  const existing = get(ctx, name);
  if (existing && existing.properties.provisioningState === 'Deleting') {
    throw badRequest(`Compute '${name}' is being deleted.`, 'computeName', 'Conflict');
  }
  const now = new Date().toISOString();
  const p = properties.properties ?? {};
  const scale = p.scaleSettings;
  const minNodeCount = scale?.minNodeCount ?? 0;
  const maxNodeCount = scale?.maxNodeCount ?? 4;
  if (minNodeCount > maxNodeCount) {
    const field = 'properties.properties.scaleSettings.minNodeCount';
    throw badRequest('minNodeCount must not exceed maxNodeCount.', field, 'UserError');
  }
  const compute: StoredCompute = {
    ...armChild(ctx.ws, 'computes', name),
    location: location ?? ctx.ws.location,
    tags: tags ?? existing?.tags ?? {},
    systemData: systemData(existing?.properties.createdOn ?? now, now),
    properties: {
      computeType: 'AmlCompute',
      computeLocation: location ?? ctx.ws.location,
      provisioningState: existing ? 'Updating' : 'Creating',
      description: properties.description,
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
        scaleSettings: {
          maxNodeCount,
          minNodeCount,
          nodeIdleTimeBeforeScaleDown: scale?.nodeIdleTimeBeforeScaleDown ?? 'PT120S',
        },
      },
    },
  };
  ctx.store.put('computes', name, compute);
  const provision = async () => {
    await delay(ctx.provisioningDelayMs);
    const current = get(ctx, name);
    if (!current) return;
    ctx.pools.ensure(name, scaleOf(current));
    setProvisioningState(ctx, 'computes', name, 'Succeeded');
  };
  return { resource: compute, created: !existing, provision };
}

/** Marks the cluster Deleting; its teardown closes the pool and forgets the cluster. */
export function remove(ctx: EmulatorContext, name: string, underlyingResourceAction: string | undefined): Removal {
  if (underlyingResourceAction !== 'Delete' && underlyingResourceAction !== 'Detach') {
    throw badRequest("underlyingResourceAction must be 'Delete' or 'Detach'.", 'underlyingResourceAction');
  }
  const c = get(ctx, name);
  if (!c) return 'absent';
  setProvisioningState(ctx, 'computes', c.name, 'Deleting');
  return async () => {
    await delay(ctx.provisioningDelayMs);
    ctx.pools.remove(c.name);
    ctx.store.delete('computes', c.name);
  };
}

/** Clusters come back with their pools; one whose delete was interrupted is gone. */
export function recover(ctx: EmulatorContext): void {
  for (const c of list(ctx)) {
    if (c.properties.provisioningState === 'Deleting') ctx.store.delete('computes', c.name);
    else {
      ctx.pools.ensure(c.name, scaleOf(c));
      if (c.properties.provisioningState !== 'Succeeded') setProvisioningState(ctx, 'computes', c.name, 'Succeeded');
    }
  }
}

// Batch deployments: the registered model and mini-batch settings a batch endpoint's jobs score with.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { notFound } from '../errors';
import { armChild, rewrittenSystemData, type TrackedResource } from '../ids';
import { checkName, parse } from '../http';
import * as batchEndpoints from './batchEndpoints';
import { requireModel } from './models';
import { setProvisioningState } from './provisioning';

const ModelRef = z.union([
  z.string().min(1),
  z.object({ referenceType: z.literal('Id'), assetId: z.string().min(1) }).loose(),
]);

const DeploymentBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z
    .object({
      model: ModelRef,
      compute: z.string().optional(),
      description: z.string().optional(),
      miniBatchSize: z.number().int().positive().default(500),
      maxConcurrencyPerInstance: z.number().int().positive().max(16).default(2),
      outputFileName: z.string().default('predictions.csv'),
      outputAction: z.enum(['SummaryOnly', 'AppendRow']).default('AppendRow'),
      errorThreshold: z.number().int().optional(),
      properties: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
});

export interface StoredBatchDeployment extends TrackedResource {
  properties: z.infer<typeof DeploymentBody>['properties'] & { provisioningState: string };
}

/** The model reference as an id (a plain string or Azure's {referenceType: 'Id', assetId}). */
export const modelIdOf = (m: z.infer<typeof ModelRef>): string => (typeof m === 'string' ? m : m.assetId);

const keyOf = (ep: string, name: string) => `${ep}/${name}`;

export function get(ctx: EmulatorContext, ep: string, name: string): StoredBatchDeployment | undefined {
  return ctx.store.get<StoredBatchDeployment>('batchDeployments', keyOf(ep, name));
}

export function list(ctx: EmulatorContext, ep: string): StoredBatchDeployment[] {
  return ctx.store.list<StoredBatchDeployment>('batchDeployments', `${ep}/`);
}

export function createOrUpdate(
  ctx: EmulatorContext,
  ep: string,
  deploymentName: string,
  body: unknown,
): Upsert<StoredBatchDeployment> {
  const e = batchEndpoints.get(ctx, ep);
  if (!e) throw notFound('batch endpoint', ep);
  const name = checkName(deploymentName, 'deploymentName');
  const { location, tags, properties } = parse(DeploymentBody, body);
  requireModel(ctx, modelIdOf(properties.model));
  const key = keyOf(e.name, name);
  const existing = ctx.store.get<StoredBatchDeployment>('batchDeployments', key);
  const d: StoredBatchDeployment = {
    ...armChild(ctx.ws, 'batchEndpoints', e.name, 'deployments', name),
    location: location ?? ctx.ws.location,
    tags: tags ?? {},
    systemData: rewrittenSystemData(existing),
    properties: { ...properties, provisioningState: existing ? 'Updating' : 'Creating' },
  };
  ctx.store.put('batchDeployments', key, d);
  const provision = async () => void setProvisioningState(ctx, 'batchDeployments', key, 'Succeeded');
  return { resource: d, created: !existing, provision };
}

export function remove(ctx: EmulatorContext, ep: string, name: string): Removal {
  const key = keyOf(ep, name);
  if (!ctx.store.has('batchDeployments', key)) return 'absent';
  return async () => void ctx.store.delete('batchDeployments', key);
}

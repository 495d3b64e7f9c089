// Batch endpoints: where batch jobs are invoked (their scoringUri), holding the deployments that score them.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { armChild, rewrittenSystemData, type TrackedResource } from '../ids';
import { checkName, parse } from '../http';
import { setProvisioningState } from './provisioning';

const EndpointBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z
    .object({
      authMode: z.enum(['AADToken', 'Key', 'AMLToken']).default('AADToken'),
      description: z.string().optional(),
      defaults: z.object({ deploymentName: z.string().optional() }).optional(),
      properties: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
});

export interface StoredBatchEndpoint extends TrackedResource {
  properties: z.infer<typeof EndpointBody>['properties'] & {
    scoringUri: string;
    swaggerUri: string;
    provisioningState: string;
  };
}

export function get(ctx: EmulatorContext, name: string): StoredBatchEndpoint | undefined {
  return ctx.store.get<StoredBatchEndpoint>('batchEndpoints', name);
}

export function list(ctx: EmulatorContext): StoredBatchEndpoint[] {
  return ctx.store.list<StoredBatchEndpoint>('batchEndpoints');
}

export function createOrUpdate(ctx: EmulatorContext, endpointName: string, body: unknown): Upsert<StoredBatchEndpoint> {
  const name = checkName(endpointName, 'endpointName');
  const { location, tags, properties } = parse(EndpointBody, body);
  const existing = get(ctx, name);
  const e: StoredBatchEndpoint = {
    ...armChild(ctx.ws, 'batchEndpoints', name),
    location: location ?? ctx.ws.location,
    tags: tags ?? {},
    systemData: rewrittenSystemData(existing),
    properties: {
      ...properties,
      scoringUri: `${ctx.baseUrl()}/batch/${name}/jobs`,
      swaggerUri: `${ctx.baseUrl()}/batch/${name}/swagger.json`,
      provisioningState: existing ? 'Updating' : 'Creating',
    },
  };
  ctx.store.put('batchEndpoints', name, e);
  const provision = async () => void setProvisioningState(ctx, 'batchEndpoints', name, 'Succeeded');
  return { resource: e, created: !existing, provision };
}

/** The endpoint's teardown forgets its deployments with it. */
export function remove(ctx: EmulatorContext, name: string): Removal {
  const e = get(ctx, name);
  if (!e) return 'absent';
  return async () => {
    for (const d of ctx.store.list<{ name: string }>('batchDeployments', `${e.name}/`)) {
      ctx.store.delete('batchDeployments', `${e.name}/${d.name}`);
    }
    ctx.store.delete('batchEndpoints', e.name);
  };
}

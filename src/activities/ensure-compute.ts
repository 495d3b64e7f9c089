// ensureCompute: the AutoML cluster exists and is ready; created (a long-running operation) only if missing.
import { call, lookup } from '../azureml';
import type { ComputeRef, EnsureComputeInput } from '../contract';
import { beat, type ActivityDeps } from './deps';

export const ensureCompute = ({ client }: ActivityDeps) =>
  async function ensureCompute({ compute }: EnsureComputeInput): Promise<ComputeRef> {
    const existing = await lookup(`read compute cluster ${compute.name}`, () =>
      client.arm.computeOperations.get(client.rg, client.ws, compute.name),
    );
    const state = existing?.properties?.provisioningState;
    if (existing && state === 'Succeeded') return { name: compute.name, provisioningState: state };

    const location = await client.workspaceLocation();
    const created = await call(
      `create compute cluster ${compute.name} (${compute.vmSize}, ${compute.minNodes}-${compute.maxNodes} nodes)`,
      () =>
        client.arm.computeOperations.beginCreateOrUpdateAndWait(
          client.rg,
          client.ws,
          compute.name,
          {
            location,
            properties: {
              computeType: 'AmlCompute',
              description: 'AutoML cluster created by amlops',
              properties: {
                vmSize: compute.vmSize,
                vmPriority: 'Dedicated',
                scaleSettings: {
                  minNodeCount: compute.minNodes,
                  maxNodeCount: compute.maxNodes,
                  nodeIdleTimeBeforeScaleDown: `PT${compute.idleSecondsBeforeScaleDown}S`,
                },
              },
            },
          },
          { onResponse: () => beat({ compute: compute.name, state: 'Creating' }) },
        ),
      'Check the compute settings (vmSize must be a size the workspace offers, maxNodes >= minNodes).',
    );
    return { name: compute.name, provisioningState: created.properties?.provisioningState ?? 'Succeeded' };
  };

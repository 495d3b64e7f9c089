// deployModel: the project's key-authenticated endpoint (created once) and this cycle's deployment, with no traffic
// yet.
import type { OnlineEndpoint } from '@azure/arm-machinelearning';
import { call, lookup } from '../azureml';
import { OPTIONAL_COLUMNS_VARIABLE, type DeployModelInput, type DeploymentRef } from '../contract';
import { beat, type ActivityDeps } from './deps';

/** States in which Azure refuses another PUT (409 Conflict) until the running operation ends. */
const IN_PROGRESS = new Set(['Creating', 'Updating', 'Deleting']);

/**
 * Waits until a resource a crashed attempt started provisioning is no longer in progress, and returns it then.
 * Without this a retried step would PUT into the running operation and fail at once with 409 Conflict.
 */
async function settled<T extends { properties: { provisioningState?: string } }>(
  what: string,
  read: () => Promise<T | undefined>,
  current: T | undefined,
  pollSeconds: number,
): Promise<T | undefined> {
  let resource = current;
  while (resource && IN_PROGRESS.has(resource.properties.provisioningState ?? '')) {
    beat({ waitingFor: what, state: resource.properties.provisioningState });
    await new Promise((r) => setTimeout(r, pollSeconds * 1000));
    resource = await lookup(`read ${what}`, read);
  }
  return resource;
}

export const deployModel = ({ client }: ActivityDeps) =>
  async function deployModel(input: DeployModelInput): Promise<DeploymentRef> {
    const { endpointName, deploymentName, model } = input;
    // A deployment property (not a model property): the same model can be served strictly or leniently, on Azure too.
    const optional = input.optionalColumns ?? [];
    const environmentVariables = optional.length ? { [OPTIONAL_COLUMNS_VARIABLE]: optional.join(',') } : undefined;
    const location = await client.workspaceLocation();
    const poll = { onResponse: () => beat({ endpointName, deploymentName }) };

    const readEndpoint = () => client.arm.onlineEndpoints.get(client.rg, client.ws, endpointName);
    let endpoint: OnlineEndpoint | undefined = await lookup(`read endpoint ${endpointName}`, readEndpoint);
    endpoint = await settled(`endpoint ${endpointName}`, readEndpoint, endpoint, client.target.pollSeconds);
    if (!endpoint || endpoint.properties.provisioningState !== 'Succeeded') {
      endpoint = await call(`create endpoint ${endpointName}`, () =>
        client.arm.onlineEndpoints.beginCreateOrUpdateAndWait(
          client.rg,
          client.ws,
          endpointName,
          {
            location,
            identity: { type: 'SystemAssigned' },
            tags: { project: input.project },
            properties: { authMode: 'Key', description: `Real-time scoring for ${input.project}, managed by amlops` },
          },
          poll,
        ),
      );
    }

    const readDeployment = () => client.arm.onlineDeployments.get(client.rg, client.ws, endpointName, deploymentName);
    // A retry after a crash mid-provisioning finds the deployment still Creating: wait for it rather than PUT again.
    const existing = await settled(
      `deployment ${endpointName}/${deploymentName}`,
      readDeployment,
      await lookup(`read deployment ${endpointName}/${deploymentName}`, readDeployment),
      client.target.pollSeconds,
    );
    if (!existing || existing.properties.provisioningState !== 'Succeeded') {
      await call(
        `create deployment ${endpointName}/${deploymentName} of model ${model.name}:${model.version}`,
        () =>
          client.arm.onlineDeployments.beginCreateOrUpdateAndWait(
            client.rg,
            client.ws,
            endpointName,
            deploymentName,
            {
              location,
              sku: { name: 'Default', capacity: input.instanceCount },
              tags: { project: input.project, cycle: String(input.cycle) },
              properties: {
                endpointComputeType: 'Managed',
                model: client.armId(`models/${model.name}/versions/${model.version}`),
                instanceType: input.instanceType,
                appInsightsEnabled: false,
                ...(environmentVariables ? { environmentVariables } : {}),
                description: `Cycle ${input.cycle}: ${model.name}:${model.version}`,
              },
            },
            poll,
          ),
        'Check instanceType and instanceCount, and that the model was registered.',
      );
    }
    const scoringUri = endpoint.properties.scoringUri;
    if (!scoringUri) throw new Error(`Endpoint ${endpointName} has no scoringUri after provisioning.`);
    return { endpointName, deploymentName, scoringUri };
  };

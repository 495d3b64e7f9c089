// deployModel: the project's key-authenticated endpoint (created once) and this cycle's deployment, with no traffic yet.
import type { OnlineEndpoint } from '@azure/arm-machinelearning';
import { call, lookup } from '../azureml';
import type { DeployModelInput, DeploymentRef } from './contract';
import { beat, type ActivityDeps } from './deps';

export const deployModel = ({ client }: ActivityDeps) =>
  async function deployModel(input: DeployModelInput): Promise<DeploymentRef> {
    const { endpointName, deploymentName, model } = input;
    const location = await client.workspaceLocation();
    const poll = { onResponse: () => beat({ endpointName, deploymentName }) };

    let endpoint: OnlineEndpoint | undefined = await lookup(`read endpoint ${endpointName}`, () => client.arm.onlineEndpoints.get(client.rg, client.ws, endpointName));
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

    const existing = await lookup(`read deployment ${endpointName}/${deploymentName}`, () =>
      client.arm.onlineDeployments.get(client.rg, client.ws, endpointName, deploymentName),
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

// publishPipeline: a batch endpoint serving the model for whole files, and the retraining trigger URL (v1's "published
// pipeline").
import type { BatchDeploymentProperties } from '@azure/arm-machinelearning';
import { Context } from '@temporalio/activity';
import { call, lookup } from '../azureml';
import { createRetrainSchedule } from '../schedules';
import type { PipelineRef, PublishPipelineInput } from '../contract';
import { beat, type ActivityDeps } from './deps';

export const publishPipeline = (deps: ActivityDeps) =>
  async function publishPipeline(input: PublishPipelineInput): Promise<PipelineRef> {
    const { client } = deps;
    const { batchEndpointName, model, project } = input;
    const location = await client.workspaceLocation();
    const poll = { onResponse: () => beat({ batchEndpointName }) };

    const endpoint = await lookup(`read batch endpoint ${batchEndpointName}`, () =>
      client.arm.batchEndpoints.get(client.rg, client.ws, batchEndpointName),
    );
    if (!endpoint) {
      await call(`create batch endpoint ${batchEndpointName}`, () =>
        client.arm.batchEndpoints.beginCreateOrUpdateAndWait(
          client.rg,
          client.ws,
          batchEndpointName,
          {
            location,
            properties: { authMode: 'AADToken', description: `Batch scoring for ${project}, managed by amlops` },
          },
          poll,
        ),
      );
    }
    // One batch deployment per model version, made the default: batch jobs score with the newest champion.
    const deploymentName = `model-${model.version}`;
    const existing = await lookup(`read batch deployment ${deploymentName}`, () =>
      client.arm.batchDeployments.get(client.rg, client.ws, batchEndpointName, deploymentName),
    );
    if (!existing) {
      const body: BatchDeploymentProperties = {
        model: { referenceType: 'Id', assetId: client.armId(`models/${model.name}/versions/${model.version}`) },
        compute: client.armId(`computes/${input.computeName}`),
        maxConcurrencyPerInstance: 2,
        miniBatchSize: 1000,
        outputAction: 'AppendRow',
        outputFileName: 'predictions.csv',
        description: `${model.name}:${model.version}`,
      };
      await call(`create batch deployment ${batchEndpointName}/${deploymentName}`, () =>
        client.arm.batchDeployments.beginCreateOrUpdateAndWait(
          client.rg,
          client.ws,
          batchEndpointName,
          deploymentName,
          { location, properties: body },
          poll,
        ),
      );
      const current = await call(`read batch endpoint ${batchEndpointName}`, () =>
        client.arm.batchEndpoints.get(client.rg, client.ws, batchEndpointName),
      );
      await call(`make ${deploymentName} the default of ${batchEndpointName}`, () =>
        client.arm.batchEndpoints.beginCreateOrUpdateAndWait(
          client.rg,
          client.ws,
          batchEndpointName,
          { ...current, properties: { ...current.properties, defaults: { deploymentName } } },
          poll,
        ),
      );
    }
    const schedule = input.schedule
      ? await createRetrainSchedule(Context.current().client, {
          project,
          taskQueue: Context.current().info.taskQueue,
          schedule: input.schedule,
        })
      : undefined;
    const final = await call(`read batch endpoint ${batchEndpointName}`, () =>
      client.arm.batchEndpoints.get(client.rg, client.ws, batchEndpointName),
    );
    return {
      batchEndpoint: final.properties.scoringUri ?? batchEndpointName,
      // The token that authorizes this URL is not part of the result (results are stored in workflow history).
      ...(schedule ? { scheduleId: schedule.scheduleId } : {}),
      ...(deps.webhookBaseUrl
        ? { triggerUrl: `${deps.webhookBaseUrl.replace(/\/$/, '')}/hooks/retrain/${project}` }
        : {}),
    };
  };

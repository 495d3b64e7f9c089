// evaluateModels: scores the cycle's test slice through the challenger's and the champion's deployments, fairly.
import { ApplicationFailure } from '@temporalio/common';
import { parseCsv, type PrimaryMetric, type Table } from '../automl';
import { call, type AzureMLClient } from '../azureml';
import { scoreProbabilities, type ClassProbabilities } from '../smoketest';
import { beat, type ActivityDeps } from './deps';
import { deploymentTarget } from './endpoint-target';
import { compareOnSlice } from './slice-metrics';
import type { TestSliceRef } from './upload-dataset';

// These types move into src/contract when the cycle workflow calls this step (issue #11).
export interface EvaluateModelsInput {
  endpointName: string;
  /** This cycle's deployment, before it takes traffic. */
  challenger: { deploymentName: string };
  /** The deployment serving now, scored the same way (absent on a first cycle). */
  champion?: { deploymentName: string };
  testSlice: Pick<TestSliceRef, 'name' | 'version'>;
  target: string;
  primaryMetric: PrimaryMetric;
}

/** Small on purpose: it lands in workflow history, so it holds no rows, predictions or keys. */
export interface ModelEvaluation {
  primaryMetric: PrimaryMetric;
  testRows: number;
  challenger: { deploymentName: string; metric: number };
  champion?: { deploymentName: string; metric: number };
  /** The challenger's advantage over the champion (see SliceComparison.difference); positive favours it. */
  difference?: number;
}

/** The test slice's CSV, read from the data asset's file on the default datastore (where uploadDataset put it). */
async function readTestSlice(client: AzureMLClient, slice: EvaluateModelsInput['testSlice']): Promise<Table> {
  const { name, version } = slice;
  const asset = await call(`read data ${name}:${version}`, () =>
    client.arm.dataVersions.get(client.rg, client.ws, name, version),
  );
  const uri = asset.properties.dataUri;
  const { client: container, datastore } = await client.datastoreContainer();
  const path = new RegExp(`^azureml://datastores/${datastore}/paths/(.+)$`).exec(uri)?.[1];
  if (!path) {
    const message = `The test slice ${name}:${version} is at ${uri}, not a file of the default datastore ${datastore}.`;
    throw ApplicationFailure.create({ type: 'InvalidTestSlice', nonRetryable: true, message });
  }
  const bytes = await call(`download the test slice ${path}`, () => container.getBlobClient(path).downloadToBuffer());
  return parseCsv(bytes, `The test slice ${name}:${version}`);
}

export const evaluateModels = ({ client }: ActivityDeps) =>
  async function evaluateModels(input: EvaluateModelsInput): Promise<ModelEvaluation> {
    const { endpointName, target, primaryMetric } = input;
    const slice = await readTestSlice(client, input.testSlice);
    if (!slice.columns.includes(target)) {
      const message = `The test slice ${input.testSlice.name}:${input.testSlice.version} has no column "${target}".`;
      throw ApplicationFailure.create({ type: 'InvalidTestSlice', nonRetryable: true, message });
    }
    const labels = slice.rows.map((r) => String(r[target]));
    // The label stays out of the request: a client would not send it.
    const rows = slice.rows.map(({ [target]: _label, ...features }) => features);

    const scoreThrough = async (deploymentName: string): Promise<ClassProbabilities[]> => {
      const endpoint = await deploymentTarget(client, endpointName, deploymentName);
      return call(`score the test slice through deployment ${endpointName}/${deploymentName}`, () =>
        scoreProbabilities(endpoint, rows, { onBatch: (scored) => beat({ deploymentName, scored, of: rows.length }) }),
      );
    };
    const challenger = await scoreThrough(input.challenger.deploymentName);
    const champion = input.champion && (await scoreThrough(input.champion.deploymentName));

    const compared = compareOnSlice(primaryMetric, labels, challenger, champion);
    return {
      primaryMetric,
      testRows: rows.length,
      challenger: { deploymentName: input.challenger.deploymentName, metric: compared.challenger },
      ...(input.champion && compared.champion !== undefined
        ? { champion: { deploymentName: input.champion.deploymentName, metric: compared.champion } }
        : {}),
      ...(compared.difference !== undefined ? { difference: compared.difference } : {}),
    };
  };

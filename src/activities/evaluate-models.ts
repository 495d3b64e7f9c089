// evaluateModels: scores the cycle's test slice through the challenger's and the champion's deployments, fairly.
import { ApplicationFailure } from '@temporalio/common';
import { parseCsv, tableRows, type RawRow, type Table } from '../automl';
import { call, type AzureMLClient } from '../azureml';
import type { EvaluateModelsInput, ModelEvaluation } from '../contract';
import { scoreProbabilities, type ClassProbabilities } from '../smoketest';
import { deployedModel } from './deployed-model';
import { beat, type ActivityDeps } from './deps';
import { deploymentTarget } from './endpoint-target';
import { compareOnSlice } from './slice-metrics';
import { testSliceSeed } from './test-slice';

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

/**
 * The rows with only the columns the deployment's model takes: the new data may carry a column the champion never
 * saw (the compatibility gate allowed it as optional, or it is unused), and a scoring server refuses unknown columns.
 * A model whose input schema cannot be read (not an amlops artifact) gets every column.
 */
async function ownColumns(
  client: AzureMLClient,
  endpointName: string,
  deploymentName: string,
  rows: RawRow[],
): Promise<RawRow[]> {
  let known: Set<string>;
  try {
    known = new Set((await deployedModel(client, endpointName, deploymentName)).columns.map((c) => c.name));
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'InvalidModelArtifact') return rows;
    throw err;
  }
  if (rows.every((r) => Object.keys(r).every((c) => known.has(c)))) return rows;
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([c]) => known.has(c))));
}

export const evaluateModels = ({ client }: ActivityDeps) =>
  async function evaluateModels(input: EvaluateModelsInput): Promise<ModelEvaluation> {
    const { endpointName, target, primaryMetric } = input;
    const slice = await readTestSlice(client, input.testSlice);
    if (!slice.columns.includes(target)) {
      const message = `The test slice ${input.testSlice.name}:${input.testSlice.version} has no column "${target}".`;
      throw ApplicationFailure.create({ type: 'InvalidTestSlice', nonRetryable: true, message });
    }
    const sliceRows = tableRows(slice);
    const labels = sliceRows.map((r) => String(r[target]));
    // The label stays out of the request: a client would not send it.
    const rows = sliceRows.map(({ [target]: _label, ...features }) => features);

    const scoreThrough = async (deploymentName: string): Promise<ClassProbabilities[]> => {
      const endpoint = await deploymentTarget(client, endpointName, deploymentName);
      const own = await ownColumns(client, endpointName, deploymentName, rows);
      return call(`score the test slice through deployment ${endpointName}/${deploymentName}`, () =>
        scoreProbabilities(endpoint, own, { onBatch: (scored) => beat({ deploymentName, scored, of: own.length }) }),
      );
    };
    const challenger = await scoreThrough(input.challenger.deploymentName);
    const champion = input.champion && (await scoreThrough(input.champion.deploymentName));

    // Seeded from project and cycle (as the slice is): a retried step reports the same interval.
    const seed = testSliceSeed(input.project, input.cycle);
    const compared = compareOnSlice(primaryMetric, labels, seed, challenger, champion);
    return {
      primaryMetric,
      testRows: rows.length,
      challenger: { deploymentName: input.challenger.deploymentName, metric: compared.challenger },
      ...(input.champion && compared.champion !== undefined
        ? { champion: { deploymentName: input.champion.deploymentName, metric: compared.champion } }
        : {}),
      ...(compared.difference !== undefined ? { difference: compared.difference } : {}),
      ...(compared.interval ? { interval: compared.interval } : {}),
    };
  };

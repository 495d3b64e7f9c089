// evaluateModels: scores the cycle's test slice through the challenger's and the champion's deployments, fairly.
import { call } from '../azureml';
import type { EvaluateModelsInput, ModelEvaluation } from '../contract';
import { scoreProbabilities, type ClassProbabilities } from '../smoketest';
import { beat, type ActivityDeps } from './deps';
import { deploymentTarget } from './endpoint-target';
import { compareOnSlice } from './slice-metrics';
import { testSliceSeed } from './test-slice';
import { labelledRows, ownColumns, readTestSlice } from './test-slice-rows';

export const evaluateModels = ({ client }: ActivityDeps) =>
  async function evaluateModels(input: EvaluateModelsInput): Promise<ModelEvaluation> {
    const { endpointName, target, primaryMetric } = input;
    const slice = await readTestSlice(client, input.testSlice);
    const { rows, labels } = labelledRows(slice, target, input.testSlice);

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

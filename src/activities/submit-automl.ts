// submitAutoML: submits the cycle's AutoML classification job under its deterministic name, or attaches to it if it
// exists.
import { ApplicationFailure } from '@temporalio/common';
import type { AutoMLJob } from '@azure/arm-machinelearning';
import { lookup } from '../azureml';
import type { JobRef, PrimaryMetricName, SubmitAutoMLInput } from '../contract';
import type { ActivityDeps } from './deps';

/** Azure's REST names of the classification primary metrics. */
const REST_METRIC: Partial<Record<PrimaryMetricName, string>> = {
  AUC_weighted: 'AUCWeighted',
  accuracy: 'Accuracy',
  average_precision_score_weighted: 'AveragePrecisionScoreWeighted',
  norm_macro_recall: 'NormMacroRecall',
};

/** ISO-8601 duration of whole seconds, as limitSettings wants. */
const isoMinutes = (minutes: number) => `PT${Math.max(1, Math.round(minutes * 60))}S`;

export const submitAutoML = ({ client }: ActivityDeps) =>
  async function submitAutoML(input: SubmitAutoMLInput): Promise<JobRef> {
    const { jobName, limits } = input;
    const existing = await lookup(`read job ${jobName}`, () => client.arm.jobs.get(client.rg, client.ws, jobName));
    if (existing) return { jobName, attached: true };

    const metric = REST_METRIC[input.primaryMetric];
    if (!metric) {
      throw ApplicationFailure.create({
        type: 'InvalidSettings',
        nonRetryable: true,
        message:
          `${input.primaryMetric} is not a primary metric Azure AutoML offers for classification;` +
          ` use one of ${Object.keys(REST_METRIC).join(', ')}.`,
      });
    }
    const job: AutoMLJob = {
      jobType: 'AutoML',
      displayName: `${input.project} cycle ${input.cycle}`,
      experimentName: input.project,
      computeId: client.armId(`computes/${input.computeName}`),
      tags: {
        project: input.project,
        cycle: String(input.cycle),
        dataset: `${input.dataset.name}:${input.dataset.version}`,
      },
      taskDetails: {
        taskType: 'Classification',
        trainingData: { jobInputType: 'mltable', uri: input.dataset.uri },
        targetColumnName: input.target,
        primaryMetric: metric,
        limitSettings: {
          timeout: isoMinutes(limits.timeoutMinutes),
          trialTimeout: isoMinutes(limits.trialTimeoutMinutes),
          maxTrials: limits.maxTrials,
          maxConcurrentTrials: limits.maxConcurrentTrials,
          enableEarlyTermination: limits.enableEarlyTermination,
          ...(limits.exitScore !== undefined ? { exitScore: limits.exitScore } : {}),
        },
      },
    };
    await client.putResource(
      `jobs/${jobName}`,
      { properties: job },
      `submit AutoML job ${jobName}`,
      'Check the AutoML settings named in the message.',
    );
    return { jobName, attached: false };
  };

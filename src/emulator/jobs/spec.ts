// The AutoML job request body as validated at the edge, and its translation into the engine's settings.
import { z } from 'zod';
import type { AutoMLSettings, PrimaryMetric } from '../../automl/types';
import { badRequest, fromZod } from '../errors';
import { isDuration, parseDurationSeconds } from '../durations';

const Duration = z.string().refine(isDuration, 'must be an ISO-8601 duration such as PT15M');

const JobInput = z
  .object({
    jobInputType: z.enum([
      'mltable',
      'uri_file',
      'uri_folder',
      'custom_model',
      'mlflow_model',
      'literal',
      'triton_model',
    ]),
    uri: z.string().min(1),
    mode: z.string().optional(),
    description: z.string().optional(),
  })
  .loose();

/** Azure's REST (PascalCase) classification metrics and the engine's Python spelling. */
const METRICS: Record<string, PrimaryMetric> = {
  AUCWeighted: 'AUC_weighted',
  Accuracy: 'accuracy',
  NormMacroRecall: 'norm_macro_recall',
  AveragePrecisionScoreWeighted: 'average_precision_score_weighted',
};

const Classification = z
  .object({
    taskType: z.literal('Classification'),
    trainingData: JobInput,
    validationData: JobInput.optional(),
    targetColumnName: z.string().min(1, 'targetColumnName is required for classification'),
    primaryMetric: z
      .string()
      .refine(
        (m) => m in METRICS,
        `must be one of ${Object.keys(METRICS).join(', ')} (REST metric names are PascalCase, e.g. AUCWeighted)`,
      )
      .optional(),
    positiveLabel: z.string().optional(),
    limitSettings: z
      .object({
        timeout: Duration.optional(),
        trialTimeout: Duration.optional(),
        maxTrials: z.number().int().positive().optional(),
        maxConcurrentTrials: z.number().int().positive().optional(),
        maxCoresPerTrial: z.number().int().optional(),
        enableEarlyTermination: z.boolean().optional(),
        exitScore: z.number().optional(),
      })
      .loose()
      .optional(),
    trainingSettings: z
      .object({ enableVoteEnsemble: z.boolean().optional(), enableStackEnsemble: z.boolean().optional() })
      .loose()
      .optional(),
    logVerbosity: z.string().optional(),
  })
  .loose();

const AutoMLJobProperties = z
  .object({
    jobType: z.literal('AutoML'),
    displayName: z.string().optional(),
    experimentName: z.string().optional(),
    description: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    properties: z.record(z.string(), z.string()).optional(),
    computeId: z
      .string({ message: 'computeId is required: the local workspace runs jobs on a compute cluster' })
      .min(1),
    taskDetails: Classification,
    outputs: z.record(z.string(), z.unknown()).optional(),
    environmentId: z.string().optional(),
    environmentVariables: z.record(z.string(), z.string()).optional(),
    resources: z.record(z.string(), z.unknown()).optional(),
    isArchived: z.boolean().optional(),
  })
  .loose();

export type AutoMLJobProperties = z.infer<typeof AutoMLJobProperties>;

/** Validates a job PUT body; the first problem becomes a 400 naming the field. */
export function parseJobBody(body: unknown): AutoMLJobProperties {
  const b = (body ?? {}) as { properties?: { jobType?: unknown; taskDetails?: { taskType?: unknown } } };
  if (!b.properties || typeof b.properties !== 'object')
    throw badRequest('The request body must have a properties object.', 'properties', 'UserError');
  const jobType = b.properties.jobType;
  if (jobType !== 'AutoML') {
    throw badRequest(
      `jobType '${String(jobType)}' is not supported by the local workspace; it runs AutoML jobs.`,
      'properties.jobType',
      'UserError',
    );
  }
  const taskType = b.properties.taskDetails?.taskType;
  if (taskType !== undefined && taskType !== 'Classification') {
    throw badRequest(
      `AutoML taskType '${String(taskType)}' is not supported by the local workspace; it runs Classification.`,
      'properties.taskDetails.taskType',
      'UserError',
    );
  }
  const r = AutoMLJobProperties.safeParse(b.properties);
  if (!r.success) {
    const e = fromZod(r.error);
    throw badRequest(e.message.replace(/at '/, "at 'properties."), `properties.${e.target}`, 'UserError');
  }
  return r.data;
}

/** Azure defaults: Accuracy, 6 h budget, 1000 trials, one trial at a time. */
export function toSettings(p: AutoMLJobProperties, concurrency: number): AutoMLSettings {
  const t = p.taskDetails;
  const l = t.limitSettings ?? {};
  return {
    target: t.targetColumnName,
    primaryMetric: METRICS[t.primaryMetric ?? 'Accuracy'],
    timeoutSeconds: parseDurationSeconds(l.timeout ?? 'PT6H') ?? 21_600,
    ...(l.trialTimeout ? { trialTimeoutSeconds: parseDurationSeconds(l.trialTimeout) } : {}),
    maxTrials: l.maxTrials ?? 1000,
    maxConcurrentTrials: concurrency,
    ...(l.exitScore !== undefined ? { exitScore: l.exitScore } : {}),
    enableEarlyTermination: l.enableEarlyTermination ?? true,
    enableEnsemble: t.trainingSettings?.enableVoteEnsemble ?? true,
  };
}

/** Compute name from an ARM id (.../computes/{name}), azureml:{name} or a bare name. */
export function computeNameOf(computeId: string): string {
  const m = /\/computes\/([^/]+)$/i.exec(computeId) ?? /^azureml:(?:\/\/computes\/)?([^/:]+)$/i.exec(computeId);
  return m ? m[1] : computeId;
}

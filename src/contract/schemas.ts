// Validation of everything that enters a workflow from outside: settings, retrain requests, approvals.
// Pure zod, so the workflow bundle, the CLI and the webhook server share one definition and one wording;
// the types of these values are inferred from the schemas, never written twice.
import { z } from 'zod';

/** Lower-case letters, digits and hyphens, starting with a letter: valid in every Azure resource name we derive. */
export const projectName = z.string().regex(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/, {
  message:
    'must be 3-24 characters of lower-case letters, digits and hyphens, starting with a letter (e.g. "bankmarketing")',
});

/** A retrain interval as Temporal Schedules take it: a whole number and one unit, e.g. 30m, 12h or 7d. */
export const INTERVAL = /^\d+(ms|s|m|h|d)$/;
export const interval = z.string().regex(INTERVAL, { message: 'must look like 30m, 12h or 7d' });

/** The classification primary metrics Azure AutoML accepts (REST: AUCWeighted, Accuracy, ...). */
export const PRIMARY_METRICS = [
  'AUC_weighted',
  'accuracy',
  'average_precision_score_weighted',
  'norm_macro_recall',
] as const;
const primaryMetric = z.enum(PRIMARY_METRICS);

const positiveInt = z.number().int().positive();

export const computeSettings = z.strictObject({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{1,15}$/, {
    message: 'must be 2-16 letters, digits or hyphens, starting with a letter',
  }),
  vmSize: z.string().min(1),
  minNodes: z.number().int().min(0),
  maxNodes: positiveInt,
  idleSecondsBeforeScaleDown: z.number().int().min(0),
});
export type ComputeSettings = z.infer<typeof computeSettings>;

export const automlLimits = z.strictObject({
  timeoutMinutes: z
    .number()
    .positive()
    .max(60 * 24 * 7),
  trialTimeoutMinutes: z.number().positive(),
  maxTrials: positiveInt.max(1000),
  maxConcurrentTrials: positiveInt.max(64),
  enableEarlyTermination: z.boolean(),
  exitScore: z.number().optional(),
});
export type AutoMLLimits = z.infer<typeof automlLimits>;

export const benchmarkGate = z.strictObject({
  requests: positiveInt.max(1_000_000),
  connections: positiveInt.max(1000),
  maxP95Ms: z.number().positive(),
  maxErrorRate: z.number().min(0).max(1),
});
export type BenchmarkGate = z.infer<typeof benchmarkGate>;

const duration = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/, {
  message: 'must be a duration such as "30m", "12h" or "7 days"',
});

/** What a cycle does; a retrain request may override any of these for its cycle. */
export const cycleSettings = z.strictObject({
  target: z.string().min(1),
  primaryMetric,
  compute: computeSettings,
  automl: automlLimits,
  instanceType: z.string().min(1),
  instanceCount: positiveInt.max(20),
  /** A challenger must beat the champion's primary metric on the test slice by more than this to be deployed. */
  championMargin: z.number().min(0),
  /** Share of the new dataset's labelled rows held out (never seen by AutoML) to score challenger and champion on. */
  testShare: z.number().gt(0, { message: 'must be a fraction above 0' }).lt(1, { message: 'must be below 1' }),
  requireApproval: z.boolean(),
  /** How long an approval may wait before the cycle counts it as rejected (ms-style string, e.g. '7 days'). */
  approvalTimeout: duration,
  benchmark: benchmarkGate,
  /**
   * Input columns a challenger may add as optional: its deployment scores a row without them with the value missing
   * (and its swagger says so), so clients that do not send them yet keep working. Unset or empty: every input column
   * a challenger adds is required, and the input compatibility gate stops its rollout.
   */
  optionalColumns: z.array(z.string().min(1).max(256)).max(100).optional(),
  /** publishPipeline creates this retrain schedule (a Temporal Schedule) if set: an interval or a cron expression. */
  retrainSchedule: z
    .strictObject({
      every: interval.optional(),
      cron: z.string().min(9).optional(),
    })
    .refine((s) => !s.every !== !s.cron, { message: 'give exactly one of every or cron' })
    .optional(),
});
export type CycleSettings = z.infer<typeof cycleSettings>;

export const DEFAULT_SETTINGS: CycleSettings = {
  target: 'y',
  primaryMetric: 'AUC_weighted',
  compute: {
    name: 'cpu-cluster',
    vmSize: 'Standard_DS3_v2',
    minNodes: 0,
    maxNodes: 2,
    idleSecondsBeforeScaleDown: 120,
  },
  automl: {
    timeoutMinutes: 1,
    trialTimeoutMinutes: 1,
    maxTrials: 40,
    maxConcurrentTrials: 2,
    enableEarlyTermination: true,
  },
  instanceType: 'Standard_DS2_v2',
  instanceCount: 1,
  championMargin: 0.001,
  testShare: 0.2,
  requireApproval: false,
  approvalTimeout: '7 days',
  benchmark: { requests: 200, connections: 8, maxP95Ms: 500, maxErrorRate: 0 },
  optionalColumns: [],
};

export const retrainOverrides = cycleSettings
  .omit({ compute: true, automl: true, benchmark: true })
  .partial()
  .extend({ automl: automlLimits.partial().optional(), benchmark: benchmarkGate.partial().optional() })
  .strict();

export const triggerSource = z.enum(['start', 'cli', 'github', 'eventgrid', 'webhook', 'schedule']);
export type TriggerSource = z.infer<typeof triggerSource>;

export const retrainRequest = z.strictObject({
  /** Idempotency key: a repeated id is recorded once and never retrains twice. */
  requestId: z.string().min(1).max(200),
  reason: z.string().min(1).max(500),
  source: triggerSource,
  datasetUri: z.string().min(1).max(2000).optional(),
  overrides: retrainOverrides.optional(),
});
export type RetrainRequest = z.infer<typeof retrainRequest>;

export const approvalDecision = z.strictObject({
  cycle: positiveInt,
  approved: z.boolean(),
  by: z.string().max(200).optional(),
  comment: z.string().max(1000).optional(),
});
export type ApprovalDecision = z.infer<typeof approvalDecision>;

/** One line per problem, each naming the field at fault: "automl.maxTrials: must be ..." */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path || '(input)'}: ${issue.message}`;
    })
    .join('\n');
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid ${what}:\n${describeIssues(parsed.error)}`);
  return parsed.data;
}

export const parseRetrainRequest = (value: unknown): RetrainRequest =>
  parseOrThrow(retrainRequest, value, 'retrain request');
export const parseApproval = (value: unknown): ApprovalDecision => parseOrThrow(approvalDecision, value, 'approval');

/** Settings for one cycle: the project's, with a request's overrides laid over them (later requests win). */
export function applyOverrides(base: CycleSettings, requests: Pick<RetrainRequest, 'overrides'>[]): CycleSettings {
  let settings = base;
  for (const { overrides } of requests) {
    if (!overrides) continue;
    const { automl, benchmark, ...flat } = overrides;
    settings = {
      ...settings,
      ...flat,
      automl: { ...settings.automl, ...automl },
      benchmark: { ...settings.benchmark, ...benchmark },
    };
  }
  return settings;
}

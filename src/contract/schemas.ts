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

/**
 * When a rollout step breaches (src/monitoring judgeRollout): rates are shares of the challenger's requests in the
 * window; a threshold left out is not checked.
 */
export const rolloutThresholds = z.strictObject({
  max5xxRate: z.number().min(0).max(1),
  max4xxRate: z.number().min(0).max(1),
  maxP95Ms: z.number().positive().optional(),
  /** The challenger's p95 over the champion's. */
  maxP95Ratio: z.number().positive().optional(),
  /** Jensen-Shannon distance (base 2, 0..1) between the two deployments' predicted labels on the probe rows. */
  maxPredictionJsDistance: z.number().min(0).max(1).optional(),
  /** Fewer requests than this in a window cannot be judged: synthetic traffic makes up the difference. */
  minRequests: positiveInt.max(100_000),
});

// The canary steps' one message for every way a step can be wrong (a bad number from the environment included).
const percentStep = { message: 'must be comma-separated whole percentages between 1 and 99, e.g. "10,50"' };

/** The progressive rollout of a new deployment when a champion serves: shadow, canary steps, full + watch. */
export const rolloutSettings = z.strictObject({
  /** Percent of live traffic mirrored to the new deployment in the shadow step (Azure allows 1-50); 0 skips shadow. */
  shadowShare: z.number().int().min(0).max(50),
  /** Percent of live traffic at each canary step, increasing, each below 100; [] goes from shadow to full. */
  canarySteps: z
    .array(z.number(percentStep).int(percentStep).min(1, percentStep).max(99, percentStep))
    .max(10)
    .refine((a) => a.every((v, i) => i === 0 || v > (a[i - 1] as number)), { message: 'must increase' }),
  /** How long each shadow and canary step bakes before the next one. */
  bake: duration,
  /** How long full traffic is watched before the rollout counts as done. */
  watch: duration,
  /** How often live metrics are checked during a bake (one activity per check). */
  checkEvery: duration,
  /** Rows scored through both deployments per check to compare their predictions (a probe, not live traffic). */
  probeRows: positiveInt.max(1000),
  thresholds: rolloutThresholds,
});
export type RolloutSettings = z.infer<typeof rolloutSettings>;

/**
 * Local defaults: short, so a second cycle on a laptop rolls out in about 40 s. The prediction probe scores up to
 * probeRows rows of the cycle's test slice through both deployments. maxPredictionJsDistance 0.2 flags a model that
 * predicts only the majority class on the bank data: the champion says "yes" to ~11% of rows, such a challenger to
 * 0%; m = (0.055, 0.945), KL(p||m) = 0.11·log2(0.11/0.055) + 0.89·log2(0.89/0.945) = 0.033, KL(q||m) =
 * log2(1/0.945) = 0.082, distance = √((0.033 + 0.082)/2) = 0.24 > 0.2. A challenger that is merely different stays
 * below it (on 200 rows, 11% vs 5% "yes" is 0.095, 11% vs 3% is 0.14). Without a test slice the probe falls back to
 * the champion's 2 swagger example rows, where one disagreement is already 0.56: that probe is judged at 0.6 at least
 * (src/activities/check-rollout.ts), so only total disagreement rolls back.
 */
export const LOCAL_ROLLOUT: RolloutSettings = {
  shadowShare: 20,
  canarySteps: [10, 50],
  bake: '10 seconds',
  watch: '10 seconds',
  checkEvery: '5 seconds',
  probeRows: 200,
  thresholds: { max5xxRate: 0.01, max4xxRate: 0.01, maxP95Ms: 1000, maxPredictionJsDistance: 0.2, minRequests: 20 },
};

/**
 * Azure defaults: Azure Monitor publishes a minute 1-3 minutes after it ends, so a bake must be well past that for its
 * last checks to see its traffic; 10 minutes per step, checked every minute.
 */
export const AZURE_ROLLOUT: RolloutSettings = {
  ...LOCAL_ROLLOUT,
  bake: '10 minutes',
  watch: '15 minutes',
  checkEvery: '1 minute',
  thresholds: { ...LOCAL_ROLLOUT.thresholds, minRequests: 100 },
};

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
  /** How a new deployment takes traffic from a serving champion (a first deployment takes 100% at once). */
  rollout: rolloutSettings,
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
  rollout: LOCAL_ROLLOUT,
};

export const retrainOverrides = cycleSettings
  .omit({ compute: true, automl: true, benchmark: true, rollout: true })
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

/** A rollout control (`amlops rollout pause|resume|promote|abort`): who asks and why, both recorded. */
export const rolloutControl = z.strictObject({
  by: z.string().max(200).optional(),
  reason: z.string().max(1000).optional(),
});
export type RolloutControl = z.infer<typeof rolloutControl>;

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
export const parseRolloutControl = (value: unknown): RolloutControl =>
  parseOrThrow(rolloutControl, value, 'rollout control');

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

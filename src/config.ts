// Configuration from environment variables and CLI flags, read and validated once; every bad value reported at once.
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  AZURE_ROLLOUT,
  DEFAULT_SETTINGS,
  LOCAL_ROLLOUT,
  cycleSettings,
  describeIssues,
  interval,
  projectName,
  type CycleSettings,
  type ProjectInput,
  type RolloutSettings,
} from './contract';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const positive = z.coerce.number().positive();
const between0and1 = { message: 'must be a fraction between 0 and 1, e.g. 0.2' };
const fraction = z.coerce.number().gt(0, between0and1).lt(1, between0and1);

/** Every variable amlops reads, with its meaning; `amlops config` prints this list. */
export const ENV = {
  TEMPORAL_ADDRESS: 'host:port of a Temporal server; unset: `npm start` runs a local dev server',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default "default")',
  TEMPORAL_PORT: 'port of the local dev server (default 7233)',
  TEMPORAL_UI_PORT: 'port of the local dev server Web UI (default 8233)',
  AMLOPS_TASK_QUEUE: 'task queue of the worker (default "amlops")',
  AMLOPS_DATA_DIR: 'where local state lives: dev server database, workspace data (default ./.amlops)',
  AMLOPS_PROJECT: 'project name (default "bankmarketing")',
  AMLOPS_DATASET: 'CSV to train on: a path or https URI (default data/bankmarketing_train.csv)',
  AMLOPS_TARGET: 'column to predict (default "y")',
  AMLOPS_PRIMARY_METRIC: 'AUC_weighted (default), accuracy, average_precision_score_weighted or norm_macro_recall',
  AMLOPS_AUTOML_TIMEOUT_MINUTES: 'AutoML experiment budget in minutes (default 1)',
  AMLOPS_AUTOML_MAX_TRIALS: 'AutoML trial limit (default 40)',
  AMLOPS_CHAMPION_MARGIN: 'how much a new model must beat the serving one by on the test slice (default 0.001)',
  AMLOPS_TEST_SHARE: 'share of each new dataset held out to score the new and the serving model on (default 0.2)',
  AMLOPS_REQUIRE_APPROVAL: 'true: wait for `amlops approve` before switching traffic (default false)',
  AMLOPS_OPTIONAL_COLUMNS:
    'comma-separated input columns a retrained model may add as optional: clients that omit them are scored with the' +
    ' value missing (default none: a new required column stops the rollout)',
  AMLOPS_RETRAIN_EVERY: 'publish a schedule that retrains at this interval (e.g. 7d)',
  AMLOPS_RETRAIN_CRON: 'or on this cron expression (UTC), e.g. "0 3 * * 1"',
  AMLOPS_ROLLOUT_SHADOW_SHARE:
    'percent of live traffic mirrored to a new deployment first; 0 skips shadow (default 20)',
  AMLOPS_ROLLOUT_CANARY_STEPS: 'percent of live traffic at each canary step, comma-separated (default "10,50")',
  AMLOPS_ROLLOUT_BAKE: 'how long each shadow/canary step bakes (default 10 seconds locally, 10 minutes on Azure)',
  AMLOPS_ROLLOUT_WATCH: 'how long full traffic is watched (default 10 seconds locally, 15 minutes on Azure)',
  AMLOPS_ROLLOUT_CHECK_EVERY:
    'how often live metrics are checked in a bake (default 5 seconds locally, 1 minute on Azure)',
  AMLOPS_ROLLOUT_MIN_REQUESTS:
    'requests needed to judge a step; synthetic ones make up the rest (default 20 / 100 Azure)',
  AMLOPS_ROLLOUT_MAX_5XX_RATE: "share of the new deployment's requests answered 5xx that rolls back (default 0.01)",
  AMLOPS_ROLLOUT_MAX_4XX_RATE: "share of the new deployment's requests answered 4xx that rolls back (default 0.01)",
  AMLOPS_ROLLOUT_MAX_P95_MS: "the new deployment's p95 latency in ms that rolls back (default 1000)",
  AMLOPS_ROLLOUT_MAX_PREDICTION_DISTANCE: 'Jensen-Shannon distance of predicted labels vs the champion (default 0.6)',
  AMLOPS_WEBHOOK_PORT: 'port of the webhook server (default 8787)',
  AMLOPS_WEBHOOK_PUBLIC_URL: 'base URL others reach the webhook server at (default http://127.0.0.1:<port>)',
  AZURE_SUBSCRIPTION_ID:
    'with AZURE_RESOURCE_GROUP and AZUREML_WORKSPACE: use this Azure ML workspace instead of the local one',
  AZURE_RESOURCE_GROUP: 'resource group of the Azure ML workspace',
  AZUREML_WORKSPACE:
    'name of the Azure ML workspace (credentials: AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET,' +
    ' managed identity or az login)',
} as const;

const rollout = cycleSettings.shape.rollout;
const limits = rollout.shape.thresholds.shape;

const envSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port, e.g. localhost:7233' })
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.optional(),
  AMLOPS_TASK_QUEUE: z.string().min(1).default('amlops'),
  AMLOPS_DATA_DIR: z.string().min(1).default('.amlops'),
  AMLOPS_PROJECT: projectName.default('bankmarketing'),
  AMLOPS_DATASET: z.string().min(1).default('data/bankmarketing_train.csv'),
  AMLOPS_TARGET: z.string().min(1).optional(),
  AMLOPS_PRIMARY_METRIC: cycleSettings.shape.primaryMetric.optional(),
  AMLOPS_AUTOML_TIMEOUT_MINUTES: positive.optional(),
  AMLOPS_AUTOML_MAX_TRIALS: z.coerce.number().int().positive().optional(),
  AMLOPS_CHAMPION_MARGIN: z.coerce.number().min(0).optional(),
  AMLOPS_TEST_SHARE: fraction.optional(),
  AMLOPS_REQUIRE_APPROVAL: bool.optional(),
  AMLOPS_OPTIONAL_COLUMNS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(cycleSettings.shape.optionalColumns.unwrap())
    .optional(),
  AMLOPS_RETRAIN_EVERY: interval.optional(),
  AMLOPS_RETRAIN_CRON: z.string().min(9, { message: 'must be a cron expression such as "0 3 * * 1"' }).optional(),
  AMLOPS_ROLLOUT_SHADOW_SHARE: z.coerce.number().pipe(rollout.shape.shadowShare).optional(),
  AMLOPS_ROLLOUT_CANARY_STEPS: z
    .string()
    .transform((v) => (v.trim() === '' || v.trim() === 'none' ? [] : v.split(',').map((p) => Number(p.trim()))))
    .pipe(rollout.shape.canarySteps)
    .optional(),
  AMLOPS_ROLLOUT_BAKE: rollout.shape.bake.optional(),
  AMLOPS_ROLLOUT_WATCH: rollout.shape.watch.optional(),
  AMLOPS_ROLLOUT_CHECK_EVERY: rollout.shape.checkEvery.optional(),
  AMLOPS_ROLLOUT_MIN_REQUESTS: z.coerce.number().pipe(limits.minRequests).optional(),
  AMLOPS_ROLLOUT_MAX_5XX_RATE: z.coerce.number().pipe(limits.max5xxRate).optional(),
  AMLOPS_ROLLOUT_MAX_4XX_RATE: z.coerce.number().pipe(limits.max4xxRate).optional(),
  AMLOPS_ROLLOUT_MAX_P95_MS: z.coerce.number().pipe(limits.maxP95Ms.unwrap()).optional(),
  AMLOPS_ROLLOUT_MAX_PREDICTION_DISTANCE: z.coerce.number().pipe(limits.maxPredictionJsDistance.unwrap()).optional(),
  AMLOPS_WEBHOOK_PORT: port.default(8787),
  AMLOPS_WEBHOOK_PUBLIC_URL: z.url({ message: 'must be a URL such as https://hooks.example.com' }).optional(),
  AZURE_SUBSCRIPTION_ID: z.string().optional(),
  AZURE_RESOURCE_GROUP: z.string().optional(),
  AZUREML_WORKSPACE: z.string().optional(),
});

export interface Config {
  temporal: { address?: string; namespace: string; devPort: number; uiPort: number };
  taskQueue: string;
  dataDir: string;
  project: string;
  datasetUri: string;
  settings: CycleSettings;
  webhookPort: number;
  webhookPublicUrl: string;
}

/** CLI flags that override the environment, in the same names users read in `--help`. */
export interface ConfigFlags {
  project?: string;
  dataset?: string;
  target?: string;
  primaryMetric?: string;
  timeoutMinutes?: string | number;
  maxTrials?: string | number;
  championMargin?: string | number;
  testShare?: string | number;
  requireApproval?: boolean;
  optionalColumns?: string;
  address?: string;
  namespace?: string;
}

const FLAG_ENV: Record<keyof ConfigFlags, keyof typeof ENV> = {
  project: 'AMLOPS_PROJECT',
  dataset: 'AMLOPS_DATASET',
  target: 'AMLOPS_TARGET',
  primaryMetric: 'AMLOPS_PRIMARY_METRIC',
  timeoutMinutes: 'AMLOPS_AUTOML_TIMEOUT_MINUTES',
  maxTrials: 'AMLOPS_AUTOML_MAX_TRIALS',
  championMargin: 'AMLOPS_CHAMPION_MARGIN',
  testShare: 'AMLOPS_TEST_SHARE',
  requireApproval: 'AMLOPS_REQUIRE_APPROVAL',
  optionalColumns: 'AMLOPS_OPTIONAL_COLUMNS',
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
};

/** A dataset given as a local path is made absolute, so the worker finds it whatever its working directory. */
export function normalizeDatasetUri(uri: string, cwd = process.cwd()): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || uri.startsWith('azureml:') ? uri : resolve(cwd, uri);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const merged: Record<string, string | undefined> = {};
  for (const key of Object.keys(ENV)) merged[key] = env[key] === '' ? undefined : env[key];
  for (const [flag, value] of Object.entries(flags) as [keyof ConfigFlags, unknown][]) {
    if (value !== undefined && FLAG_ENV[flag]) merged[FLAG_ENV[flag]] = String(value);
  }
  const parsed = envSchema
    .refine((e) => !(e.AMLOPS_RETRAIN_EVERY && e.AMLOPS_RETRAIN_CRON), {
      message: 'set AMLOPS_RETRAIN_EVERY or AMLOPS_RETRAIN_CRON, not both',
      path: ['AMLOPS_RETRAIN_CRON'],
    })
    .safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      `Configuration is invalid:\n${describeIssues(parsed.error)}\nSee \`amlops config\` for every setting.`,
    );
  }
  const e = parsed.data;
  const d = DEFAULT_SETTINGS;
  const settings: CycleSettings = {
    ...d,
    target: e.AMLOPS_TARGET ?? d.target,
    primaryMetric: e.AMLOPS_PRIMARY_METRIC ?? d.primaryMetric,
    championMargin: e.AMLOPS_CHAMPION_MARGIN ?? d.championMargin,
    testShare: e.AMLOPS_TEST_SHARE ?? d.testShare,
    requireApproval: e.AMLOPS_REQUIRE_APPROVAL ?? d.requireApproval,
    optionalColumns: e.AMLOPS_OPTIONAL_COLUMNS ?? d.optionalColumns,
    ...(e.AMLOPS_RETRAIN_EVERY || e.AMLOPS_RETRAIN_CRON
      ? {
          retrainSchedule: e.AMLOPS_RETRAIN_EVERY ? { every: e.AMLOPS_RETRAIN_EVERY } : { cron: e.AMLOPS_RETRAIN_CRON },
        }
      : {}),
    rollout: rolloutFrom(e),
    automl: {
      ...d.automl,
      timeoutMinutes: e.AMLOPS_AUTOML_TIMEOUT_MINUTES ?? d.automl.timeoutMinutes,
      maxTrials: e.AMLOPS_AUTOML_MAX_TRIALS ?? d.automl.maxTrials,
    },
  };
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      devPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT ?? e.TEMPORAL_PORT + 1000,
    },
    taskQueue: e.AMLOPS_TASK_QUEUE,
    dataDir: resolve(e.AMLOPS_DATA_DIR),
    project: e.AMLOPS_PROJECT,
    datasetUri: normalizeDatasetUri(e.AMLOPS_DATASET),
    settings,
    webhookPort: e.AMLOPS_WEBHOOK_PORT,
    webhookPublicUrl: e.AMLOPS_WEBHOOK_PUBLIC_URL ?? `http://127.0.0.1:${e.AMLOPS_WEBHOOK_PORT}`,
  };
}

/** Rollout settings: Azure's defaults when an Azure workspace is configured (its metrics arrive minutes late). */
function rolloutFrom(e: z.infer<typeof envSchema>): RolloutSettings {
  const d = e.AZURE_SUBSCRIPTION_ID ? AZURE_ROLLOUT : LOCAL_ROLLOUT;
  const t = d.thresholds;
  return {
    ...d,
    shadowShare: e.AMLOPS_ROLLOUT_SHADOW_SHARE ?? d.shadowShare,
    canarySteps: e.AMLOPS_ROLLOUT_CANARY_STEPS ?? d.canarySteps,
    bake: e.AMLOPS_ROLLOUT_BAKE ?? d.bake,
    watch: e.AMLOPS_ROLLOUT_WATCH ?? d.watch,
    checkEvery: e.AMLOPS_ROLLOUT_CHECK_EVERY ?? d.checkEvery,
    thresholds: {
      ...t,
      minRequests: e.AMLOPS_ROLLOUT_MIN_REQUESTS ?? t.minRequests,
      max5xxRate: e.AMLOPS_ROLLOUT_MAX_5XX_RATE ?? t.max5xxRate,
      max4xxRate: e.AMLOPS_ROLLOUT_MAX_4XX_RATE ?? t.max4xxRate,
      maxP95Ms: e.AMLOPS_ROLLOUT_MAX_P95_MS ?? t.maxP95Ms,
      maxPredictionJsDistance: e.AMLOPS_ROLLOUT_MAX_PREDICTION_DISTANCE ?? t.maxPredictionJsDistance,
    },
  };
}

/** The workflow input for the configured project. */
export function projectInput(config: Config): ProjectInput {
  return { project: config.project, datasetUri: config.datasetUri, settings: config.settings };
}

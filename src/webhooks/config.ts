// The webhook process's settings: the shared ones from src/config.ts plus the webhook's own, every bad variable
// reported at once.
import { z } from 'zod';
import { ConfigError, loadConfig, projectInput } from '../config';
import { describeIssues, type ProjectInput } from '../contract';
import { DEFAULT_BODY_LIMIT, DEFAULT_TEMPORAL_TIMEOUT_MS, type WebhookSecrets } from './server';

const optionalText = z.string().trim().min(1).optional();
// A short secret can be brute-forced over HTTP; 16 characters is the floor, `openssl rand -hex 32` the advice.
const secret = z
  .string()
  .min(16, { message: 'must be at least 16 characters; generate one with `openssl rand -hex 32`' })
  .optional();
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * The variables only the webhook server reads (src/config.ts ENV lists the shared ones: TEMPORAL_*, AMLOPS_PROJECT,
 * ...).
 */
export const WEBHOOK_ENV = {
  AMLOPS_WEBHOOK_HOST: 'interface the webhook server listens on (default 127.0.0.1; 0.0.0.0 behind a proxy or tunnel)',
  AMLOPS_WEBHOOK_BODY_LIMIT: 'largest accepted body in bytes (default 1048576)',
  AMLOPS_TEMPORAL_TIMEOUT_MS: 'how long a webhook waits for Temporal before answering 503 (default 5000)',
  AMLOPS_GITHUB_SECRET: 'GitHub webhook secret; turns on POST /hooks/github/:project',
  AMLOPS_GITHUB_BRANCHES: 'comma-separated branches whose pushes retrain (default: every branch)',
  AMLOPS_EVENTGRID_SECRET: 'Event Grid secret (?code= in the subscription URL); turns on /hooks/eventgrid/:project',
  AMLOPS_EVENTGRID_CONTAINER: 'blob container whose new blobs retrain (required with AMLOPS_EVENTGRID_SECRET)',
  AMLOPS_EVENTGRID_PREFIX: 'only blobs under this path prefix in the container retrain (default: all)',
  AMLOPS_WEBHOOK_TOKEN: 'bearer token; turns on POST /hooks/retrain/:project',
  AMLOPS_LOG_LEVEL: 'fatal, error, warn, info (default), debug, trace or silent',
} as const;

const webhookEnv = z
  .object({
    AMLOPS_WEBHOOK_HOST: z.string().trim().min(1).default('127.0.0.1'),
    AMLOPS_WEBHOOK_BODY_LIMIT: int(1024, 64 * 1024 * 1024).default(DEFAULT_BODY_LIMIT),
    AMLOPS_TEMPORAL_TIMEOUT_MS: int(100, 60_000).default(DEFAULT_TEMPORAL_TIMEOUT_MS),
    AMLOPS_GITHUB_SECRET: secret,
    AMLOPS_GITHUB_BRANCHES: optionalText,
    AMLOPS_EVENTGRID_SECRET: secret,
    AMLOPS_EVENTGRID_CONTAINER: z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, {
        message: 'must be an Azure blob container name (3-63 lower-case letters, digits, hyphens)',
      })
      .optional(),
    AMLOPS_EVENTGRID_PREFIX: z.string().default(''),
    AMLOPS_WEBHOOK_TOKEN: secret,
    AMLOPS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((value, ctx) => {
    if (!value.AMLOPS_GITHUB_SECRET && !value.AMLOPS_EVENTGRID_SECRET && !value.AMLOPS_WEBHOOK_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['AMLOPS_GITHUB_SECRET'],
        message:
          'no webhook is enabled; set at least one of AMLOPS_GITHUB_SECRET,' +
          ' AMLOPS_EVENTGRID_SECRET, AMLOPS_WEBHOOK_TOKEN',
      });
    }
    if (value.AMLOPS_EVENTGRID_SECRET && !value.AMLOPS_EVENTGRID_CONTAINER) {
      ctx.addIssue({
        code: 'custom',
        path: ['AMLOPS_EVENTGRID_CONTAINER'],
        message: 'is required with AMLOPS_EVENTGRID_SECRET: the container whose new blobs trigger retraining',
      });
    }
  });

export interface WebhookConfig {
  temporal: { address: string; namespace: string; timeoutMs: number };
  taskQueue: string;
  host: string;
  port: number;
  bodyLimitBytes: number;
  secrets: WebhookSecrets;
  githubBranches?: string[];
  eventGrid?: { container: string; prefix: string };
  project: ProjectInput;
  logLevel: string;
}

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

/**
 * Reads the settings from `source` (default process.env); throws WebhookConfigError listing every bad variable by name.
 */
export function webhookConfigFromEnv(source: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const problems: string[] = [];
  let shared: ReturnType<typeof loadConfig> | undefined;
  try {
    shared = loadConfig(source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Keep only its "VAR: problem" lines, so both lists read as one.
    problems.push(...err.message.split('\n').filter((line) => /^[A-Z_]+: /.test(line)));
  }
  // An empty variable (FOO=) means unset, as in src/config.ts.
  const present = Object.fromEntries(
    Object.keys(WEBHOOK_ENV).map((k) => [k, source[k] === '' ? undefined : source[k]]),
  );
  const parsed = webhookEnv.safeParse(present);
  if (!parsed.success) problems.push(...describeIssues(parsed.error).split('\n'));
  if (problems.length || !shared || !parsed.success) {
    throw new WebhookConfigError(`The webhook server's environment is not valid:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    temporal: {
      address: shared.temporal.address ?? 'localhost:7233',
      namespace: shared.temporal.namespace,
      timeoutMs: e.AMLOPS_TEMPORAL_TIMEOUT_MS,
    },
    taskQueue: shared.taskQueue,
    host: e.AMLOPS_WEBHOOK_HOST,
    port: shared.webhookPort,
    bodyLimitBytes: e.AMLOPS_WEBHOOK_BODY_LIMIT,
    secrets: { github: e.AMLOPS_GITHUB_SECRET, eventGrid: e.AMLOPS_EVENTGRID_SECRET, token: e.AMLOPS_WEBHOOK_TOKEN },
    githubBranches: e.AMLOPS_GITHUB_BRANCHES?.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    eventGrid: e.AMLOPS_EVENTGRID_CONTAINER
      ? { container: e.AMLOPS_EVENTGRID_CONTAINER, prefix: e.AMLOPS_EVENTGRID_PREFIX }
      : undefined,
    project: projectInput(shared),
    logLevel: e.AMLOPS_LOG_LEVEL,
  };
}

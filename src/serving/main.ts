// Process entry of one deployment: `node dist/src/serving/main.js`, configured by environment variables
// (see README.md).
import { z } from 'zod';
import { loadModelFile } from './model-file';
import { startScoringServer, type ScoringServer } from './server';
import type { KeySource } from './keys';

const Flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const Env = z.object({
  AMLOPS_MODEL_PATH: z.string().min(1, 'set AMLOPS_MODEL_PATH to the model artifact JSON file'),
  AMLOPS_KEYS_FILE: z.string().min(1).optional(),
  AMLOPS_PRIMARY_KEY: z.string().min(1).optional(),
  AMLOPS_SECONDARY_KEY: z.string().min(1).optional(),
  AMLOPS_PORT: z.coerce.number().int().min(0).max(65535).default(5001),
  AMLOPS_HOST: z.string().min(1).default('127.0.0.1'),
  AMLOPS_ENDPOINT_NAME: z.string().min(1).optional(),
  AMLOPS_DEPLOYMENT_NAME: z.string().min(1).optional(),
  AMLOPS_MODEL_NAME: z.string().min(1).optional(),
  AMLOPS_MODEL_VERSION: z.string().min(1).optional(),
  // Comma-separated column names; a deployment property (environmentVariables), so it works the same on Azure.
  AMLOPS_OPTIONAL_COLUMNS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .optional(),
  AMLOPS_APP_INSIGHTS_ENABLED: Flag.default(false),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
  AMLOPS_LOG_DIR: z.string().min(1).optional(),
  AMLOPS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  AMLOPS_LOG_BODY_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
  AMLOPS_BODY_LIMIT_BYTES: z.coerce.number().int().positive().optional(),
  AMLOPS_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});
type Env = z.infer<typeof Env>;

function readEnv(): Env {
  // An empty variable means "not set" (spawners pass '' for optional values they do not have).
  const set = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(set);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid environment: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

function keySource(env: Env): KeySource {
  if (env.AMLOPS_KEYS_FILE) return { keyFile: env.AMLOPS_KEYS_FILE };
  if (env.AMLOPS_PRIMARY_KEY) return { primaryKey: env.AMLOPS_PRIMARY_KEY, secondaryKey: env.AMLOPS_SECONDARY_KEY };
  throw new Error(
    'no endpoint keys: set AMLOPS_KEYS_FILE (JSON {"primaryKey","secondaryKey"}, rotatable) or AMLOPS_PRIMARY_KEY',
  );
}

async function main(): Promise<void> {
  const env = readEnv();
  const keys = keySource(env); // configuration errors first, before the (slower) model load
  const server: ScoringServer = await startScoringServer({
    model: loadModelFile(env.AMLOPS_MODEL_PATH),
    keys,
    port: env.AMLOPS_PORT,
    host: env.AMLOPS_HOST,
    endpointName: env.AMLOPS_ENDPOINT_NAME,
    deploymentName: env.AMLOPS_DEPLOYMENT_NAME,
    modelName: env.AMLOPS_MODEL_NAME,
    modelVersion: env.AMLOPS_MODEL_VERSION,
    optionalColumns: env.AMLOPS_OPTIONAL_COLUMNS,
    appInsightsEnabled: env.AMLOPS_APP_INSIGHTS_ENABLED,
    appInsightsConnectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING,
    logDir: env.AMLOPS_LOG_DIR,
    logLevel: env.AMLOPS_LOG_LEVEL,
    logBodySampleRate: env.AMLOPS_LOG_BODY_SAMPLE_RATE,
    bodyLimitBytes: env.AMLOPS_BODY_LIMIT_BYTES,
  });
  // The spawner reads this line to learn the port (AMLOPS_PORT=0 picks a free one).
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', url: server.url, port: server.port, pid: process.pid, logFile: server.logFile })}\n`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // In-flight requests finish; a hung one must not keep the deployment from being replaced.
    const timer = setTimeout(() => {
      process.stderr.write(
        `scoring server: shutdown after ${signal} took longer than ${env.AMLOPS_SHUTDOWN_TIMEOUT_MS} ms; exiting\n`,
      );
      process.exit(1);
    }, env.AMLOPS_SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`scoring server: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    try {
      server.reloadKeys();
    } catch (err) {
      process.stderr.write(
        `scoring server: key reload on SIGHUP failed, previous keys stay in force: ${(err as Error).message}\n`,
      );
    }
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`scoring server failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});

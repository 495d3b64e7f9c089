// The worker: runs the retraining workflows and their activities (over one Azure ML client) on the task queue.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { ConfigError, loadConfig, type Config } from './config';
import { temporalAddress } from './starters/connect';
import { openWorkspace } from './starters/workspace';

/**
 * Sends the SDK's logs to <dataDir>/worker.log (errors also to stderr), so the console shows amlops' own progress.
 * Called once per process, before the first worker or connection.
 */
export function logWorkerToFile(config: Config): string {
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'worker.log');
  const write = (entry: LogEntry) => {
    const line = JSON.stringify({ at: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(), level: entry.level, message: entry.message, ...entry.meta });
    appendFileSync(file, `${line}\n`);
    if (entry.level === 'ERROR') process.stderr.write(`worker error: ${entry.message}\n`);
  };
  Runtime.install({ logger: new DefaultLogger('INFO', write) });
  return file;
}

export function activityDeps(config: Config, client: ActivityDeps['client']): ActivityDeps {
  return {
    client,
    reportsDir: join(config.dataDir, 'reports'),
    webhookBaseUrl: config.webhookPublicUrl,
  };
}

export async function createWorker(config: Config, deps: ActivityDeps): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities(deps),
  });
}

/** `node dist/src/worker.js`: a worker alone (Docker, or a second worker next to `npm start`). */
async function main(): Promise<void> {
  const config = loadConfig();
  logWorkerToFile(config);
  const workspace = await openWorkspace(config, (line) => console.log(line));
  console.log(`Worker on task queue ${config.taskQueue}, Temporal ${temporalAddress(config)}, ${workspace.description}.`);
  const worker = await createWorker(config, activityDeps(config, workspace.client));
  await worker.run();
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`amlops worker: ${err instanceof ConfigError ? err.message : (err.stack ?? err.message)}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}

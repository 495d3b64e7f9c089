// The worker: runs the retraining workflows and their activities on the configured task queue.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import * as activities from './activities';
import { loadConfig, type Config } from './config';
import { temporalAddress } from './starters/connect';

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

export async function createWorker(config: Config): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
  });
}

if (require.main === module) {
  const config = loadConfig();
  createWorker(config)
    .then((worker) => {
      process.once('SIGINT', () => worker.shutdown());
      process.once('SIGTERM', () => worker.shutdown());
      return worker.run();
    })
    .catch((err: Error) => {
      console.error(`amlops worker: ${err.message}`);
      process.exit(1);
    });
}

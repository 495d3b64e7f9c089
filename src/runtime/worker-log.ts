// The worker's log file: the SDK's logs go to <dataDir>/worker.log, so the console shows amlops' own progress.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * Sends the SDK's logs to <dataDir>/worker.log (errors also to stderr). Called once per process, before the first
 * worker or connection.
 */
export function logWorkerToFile(config: Config): string {
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'worker.log');
  const write = (entry: LogEntry) => {
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const line = JSON.stringify({ at, level: entry.level, message: entry.message, ...entry.meta });
    appendFileSync(file, `${line}\n`);
    if (entry.level === 'ERROR') process.stderr.write(`worker error: ${entry.message}\n`);
  };
  Runtime.install({ logger: new DefaultLogger('INFO', write) });
  return file;
}

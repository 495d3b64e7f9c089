// The deployment's structured log (pino): to its per-deployment file, a given stream, or stdout; keys redacted.
import pino, { type DestinationStream, type Logger } from 'pino';
import { deploymentLogPath, type DeploymentRef } from './logs';

export interface LoggerOptions {
  logDir?: string;
  destination?: DestinationStream;
  level?: string;
  bindings: Record<string, string>;
  ref: DeploymentRef;
}

export interface DeploymentLogger {
  logger: Logger;
  /** The file the logger writes, when logDir was given. */
  logFile?: string;
  /** Writes out buffered lines and releases the file. */
  close(): Promise<void>;
}

// Keys never reach the log through our code (headers are not logged); redaction is the second line of defence.
const REDACT = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'primaryKey',
  'secondaryKey',
  '*.primaryKey',
  '*.secondaryKey',
];

export function createDeploymentLogger(options: LoggerOptions): DeploymentLogger {
  const logFile = options.logDir ? deploymentLogPath(options.logDir, options.ref) : undefined;
  const file = logFile ? pino.destination({ dest: logFile, mkdir: true, sync: false }) : undefined;
  const destination = options.destination ?? file ?? pino.destination({ dest: 1, sync: false });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.bindings,
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return {
    logger,
    logFile,
    close: () =>
      new Promise<void>((resolve) => {
        logger.flush(() => {
          if (file) {
            file.once('close', () => resolve());
            file.end();
          } else resolve();
        });
      }),
  };
}

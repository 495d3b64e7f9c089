// The deployment's structured log (pino): to its per-deployment file, a given stream, or stdout.
// Request headers are never passed to it (so keys cannot reach it); tests check the log for key text.
import pino, { type DestinationStream, type Logger } from 'pino';
import { deploymentLogPath, type DeploymentRef } from './logs';

/** Longest a log line waits in the buffer before getLogs can see it. */
const FLUSH_MS = 500;

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

export function createDeploymentLogger(options: LoggerOptions): DeploymentLogger {
  const logFile = options.logDir ? deploymentLogPath(options.logDir, options.ref) : undefined;
  // Lines are buffered and written ~15 KiB at a time (one syscall per ~35 request lines under load), and at
  // least every FLUSH_MS. Synchronous batched writes measured cheaper here than sonic-boom's async writes,
  // which cost a main-thread call per small write.
  const file = logFile ? pino.destination({ dest: logFile, mkdir: true, sync: true, minLength: 15 * 1024 }) : undefined;
  const destination = options.destination ?? file ?? pino.destination({ dest: 1, sync: false });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.bindings,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  const flusher = file
    ? setInterval(() => {
        try {
          file.flush();
        } catch {
          // Destroyed between ticks (closing): nothing left to flush.
        }
      }, FLUSH_MS)
    : undefined;
  flusher?.unref();
  return {
    logger,
    logFile,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(flusher);
        logger.flush(() => {
          if (file) {
            file.once('close', () => resolve());
            file.end();
          } else resolve();
        });
      }),
  };
}

// Where a deployment's log file lives, and reading its tail afterwards (the workspace's getLogs).
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

export interface DeploymentRef {
  endpointName?: string;
  deploymentName: string;
}

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

/** `<logDir>/<endpoint>/<deployment>.log` (or `<logDir>/<deployment>.log` without an endpoint name). */
export function deploymentLogPath(logDir: string, ref: DeploymentRef): string {
  const file = `${safeName(ref.deploymentName)}.log`;
  return ref.endpointName ? join(logDir, safeName(ref.endpointName), file) : join(logDir, file);
}

const TAIL_CHUNK = 64 * 1024;

/**
 * The last `tail` lines of a deployment's log (JSON lines, one event each), oldest first.
 * Reads backwards in chunks, so a long-running deployment's large log costs only what is shown.
 * Returns '' when the deployment has not logged yet.
 */
export function readDeploymentLogs(logDir: string, ref: DeploymentRef, tail = 100): string {
  const path = deploymentLogPath(logDir, ref);
  if (!existsSync(path) || tail <= 0) return '';
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let position = size;
    let text = '';
    while (position > 0) {
      const length = Math.min(TAIL_CHUNK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, position);
      text = buffer.toString('utf8') + text;
      // tail lines need tail newlines, plus one for the (possibly partial) line before them.
      if ((text.match(/\n/g)?.length ?? 0) > tail) break;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-tail).join('\n') + (lines.length > 0 ? '\n' : '');
  } finally {
    closeSync(fd);
  }
}

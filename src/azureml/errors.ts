// The one place Azure errors become Temporal failures: throttling and outages retry, mistakes stop at once.
import { ApplicationFailure } from '@temporalio/common';

interface AzureLikeError {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Status codes worth trying again: throttled, timed out, or the service is having a bad moment. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function isNotFound(err: unknown): boolean {
  return (err as AzureLikeError)?.statusCode === 404;
}

/** Cleans an Azure message: one line, and never an Authorization header or key that a body may echo. */
function readable(message: string | undefined): string {
  return (message ?? 'no message')
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***')
    .replace(/(key|secret|token|password)(["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi, '$1$2***')
    .split('\n')[0]
    .slice(0, 1000);
}

/**
 * Wraps a failed Azure call. `what` says what was attempted, on which resource ("create compute cluster cpu-cluster"),
 * and `fix` what a person can do about a non-retryable failure.
 */
export function azureFailure(err: unknown, what: string, fix?: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = (err ?? {}) as AzureLikeError;
  const status = e.statusCode;
  const code = e.code ? ` ${e.code}` : '';
  const message = `Could not ${what}: ${status ? `HTTP ${status}${code}: ` : ''}${readable(e.message).replace(/\.+$/, '')}`;
  // No status at all is a network failure (refused, reset, DNS): the workspace may come back.
  if (status === undefined || RETRYABLE_STATUS.has(status)) {
    return ApplicationFailure.create({ type: 'AzureUnavailable', message, nonRetryable: false });
  }
  const hint =
    fix ??
    (status === 401 || status === 403
      ? 'Check the identity amlops runs as and its role on the workspace (see README, "Azure").'
      : status === 404
        ? 'Check the workspace and resource names.'
        : 'Fix the setting named in the message and retrain.');
  return ApplicationFailure.create({ type: `Azure${status}`, message: `${message}. ${hint}`, nonRetryable: true });
}

/** Runs an Azure call, translating its failure. */
export async function call<T>(what: string, run: () => Promise<T>, fix?: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw azureFailure(err, what, fix);
  }
}

/** Runs a GET; a 404 is an answer (undefined), not a failure. */
export async function lookup<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw azureFailure(err, what);
  }
}

// Errors the scoring server answers with: its own (status + message for the caller) and fastify's,
// mapped to {"message"} replies.
import type { FastifyError } from 'fastify';

/** An error whose message is safe and useful to show the caller, with the HTTP status to answer. */
export class ScoringError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Input columns the refused request lacked: names only, for its telemetry record. */
    readonly missingColumns?: string[],
  ) {
    super(message);
    this.name = 'ScoringError';
  }
}

/** 400 with a message naming what to fix. */
export function badRequest(message: string): ScoringError {
  return new ScoringError(400, message);
}

/**
 * Why a JSON body was refused, for the caller: fastify's own message says neither where the syntax breaks nor that
 * a prototype key was refused. Runs only on the error path (the body is parsed again to find the position).
 */
export function invalidJsonBody(body: string): ScoringError {
  try {
    JSON.parse(body);
  } catch (err) {
    // V8 quotes part of the body in its message; the reply is logged with the request, and bodies are not.
    const reason = (err as Error).message.replace(/, (?:\.\.\.)?".*$/s, '');
    return badRequest(`the body is not valid JSON (${reason}); send rows as JSON, see /swagger.json`);
  }
  return badRequest(
    'the body has a "__proto__" or "constructor.prototype" key, which is refused for safety; rename that column',
  );
}

/** Status and caller-facing message for any error reaching the error handler; 5xx details stay in the log. */
export function messageFor(
  error: FastifyError | ScoringError | Error,
  bodyLimit: number,
): { status: number; message: string } {
  if (error instanceof ScoringError) return { status: error.statusCode, message: error.message };
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `request body is larger than ${bodyLimit} bytes; send fewer rows per request` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        message: 'unsupported content type; send the body as JSON with Content-Type: application/json',
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'the request body is empty; send rows as JSON, see /swagger.json' };
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, message: fe.message };
  }
  return { status: 500, message: 'internal error while scoring; the deployment log has the details' };
}

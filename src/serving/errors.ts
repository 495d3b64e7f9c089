// The one error type the scoring server raises on purpose: an HTTP status plus a message meant for the caller.

/** An error whose message is safe and useful to show the caller, with the HTTP status to answer. */
export class ScoringError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ScoringError';
  }
}

/** 400 with a message naming what to fix. */
export function badRequest(message: string): ScoringError {
  return new ScoringError(400, message);
}

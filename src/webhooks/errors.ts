// The one error type the webhook server raises on purpose: an HTTP status, a short code and a message for the sender.

export type WebhookErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'temporal_unavailable'
  | 'temporal_refused'
  | 'internal';

/** An error whose message is safe to send back: it never holds a secret, a body or a stack. */
export class WebhookError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: WebhookErrorCode,
    message: string,
    /** Extra reply headers, e.g. Retry-After on 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export const badRequest = (message: string) => new WebhookError(400, 'bad_request', message);
export const unauthorized = (message: string) => new WebhookError(401, 'unauthorized', message);
export const notFound = (message: string) => new WebhookError(404, 'not_found', message);

// Azure-shaped errors: one class the routes throw and one function that turns anything into Azure's error body.
import type { ZodError } from 'zod';

export interface AzureErrorBody {
  error: { code: string; message: string; target?: string; details?: AzureErrorBody['error'][] };
}

/** An error that knows its HTTP status and Azure error code; the server's error handler renders it. */
export class AzureError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AzureError';
  }

  toBody(): AzureErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}), details: [] },
    };
  }
}

export const notFound = (what: string, name: string): AzureError =>
  new AzureError(404, 'ResourceNotFound', `The ${what} '${name}' was not found.`);

export const conflict = (message: string, target?: string): AzureError =>
  new AzureError(409, 'Conflict', message, target);

export const badRequest = (message: string, target?: string, code = 'BadRequest'): AzureError =>
  new AzureError(400, code, message, target);

/** Zod's first issue names the field at fault; Azure's 400s name it in `target`. */
export function fromZod(err: ZodError, root = 'properties'): AzureError {
  const issue = err.issues[0];
  const path = issue ? issue.path.map(String).join('.') : root;
  const target = path || root;
  return badRequest(`Invalid request body at '${target}': ${issue?.message ?? 'invalid value'}`, target, 'UserError');
}

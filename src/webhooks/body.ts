// Request bodies: JSON parsed from the raw bytes (kept for signature checks), and zod validation with field names.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { describeIssues } from '../contract';
import { badRequest } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received; GitHub signs these bytes, not the parsed JSON. */
    rawBody: Buffer | null;
  }
}

/** Content types the server reads; everything else gets 415. */
export const JSON_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];

/**
 * Replaces fastify's parsers with one that keeps the raw bytes and parses JSON; must run before routes are registered.
 */
export function useJsonBodies(app: FastifyInstance): void {
  app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch (err) {
      done(badRequest(`the body is not valid JSON (${(err as Error).message})`), undefined);
    }
  });
}

/** The value if it fits the schema, else a 400 naming every field at fault ("ref: expected string, ..."). */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(`invalid ${what}: ${describeIssues(parsed.error).split('\n').join('; ')}`);
  return parsed.data;
}

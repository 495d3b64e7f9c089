// The HTTPS server: body parsing, auth, fault injection, journal, and one error handler that answers in Azure's shape.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { AzureError, badRequest, fromZod } from './errors';
import { verifyAuthorization } from './auth';
import type { Journal } from './journal';
import type { Faults } from './faults';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Azure operationId of the route (Jobs_CreateOrUpdate): the name faults and the journal use. */
    operation?: string;
    /** Route authenticates by other means (endpoint keys) or not at all (health). */
    auth?: 'bearer' | 'none' | 'endpointKey';
  }
}

export interface ServerOptions {
  tls: { key: string; cert: string };
  tokenSecret: string;
  journal: Journal;
  faults: Faults;
  workspace: { subscriptionId: string; resourceGroup: string; workspaceName: string };
}

export function createServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    https: { key: opts.tls.key, cert: opts.tls.cert },
    logger: false,
    bodyLimit: 100 * 1024 * 1024,
    // MetricsQueryClient joins its host and a resource id that starts with '/' into '//subscriptions/...';
    // ARM takes it.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^\/{2,}/, '/'),
  });

  // Azure clients send POST actions (listKeys, cancel) with a JSON content type and no body: accept that.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(
        badRequest(`The request body is not valid JSON: ${(e as Error).message}`, 'body', 'InvalidRequestContent'),
        undefined,
      );
    }
  });
  // Other content types reach routes as raw bytes (scoring requests have their own parsers: routes/inference.ts).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const mode = req.routeOptions.config?.auth ?? 'bearer';
    if (mode !== 'bearer' && req.routeOptions.url !== undefined) return;
    const check = verifyAuthorization(opts.tokenSecret, req.headers.authorization);
    if (!check.ok) {
      reply.header(
        'WWW-Authenticate',
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
      );
      throw new AzureError(
        401,
        check.reason.includes('missing') ? 'AuthenticationFailed' : 'InvalidAuthenticationToken',
        check.reason,
      );
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const decision = opts.faults.decide({
      method: req.method,
      path: pathOf(req),
      operation: req.routeOptions.config?.operation,
    });
    if (decision.delayMs) await new Promise((r) => setTimeout(r, decision.delayMs));
    if (decision.fail) {
      (req as FastifyRequest & { injected?: boolean }).injected = true;
      const { status, retryAfterSeconds } = decision.fail;
      if (status !== 500) reply.header('Retry-After', String(retryAfterSeconds));
      const code = status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'InternalServerError';
      throw new AzureError(status, code, `Injected fault: ${code} (${req.method} ${pathOf(req)}).`);
    }
  });

  app.addHook('preHandler', async (req) => {
    const url = pathOf(req);
    if (!url.startsWith('/subscriptions/')) return;
    const q = req.query as Record<string, unknown>;
    if (!q['api-version'])
      throw badRequest(
        'The api-version query parameter (?api-version=) is required for all requests.',
        'api-version',
        'MissingApiVersionParameter',
      );
    const p = req.params as Record<string, string | undefined>;
    const w = opts.workspace;
    if (p.subscriptionId !== undefined && p.subscriptionId.toLowerCase() !== w.subscriptionId.toLowerCase()) {
      throw new AzureError(404, 'SubscriptionNotFound', `The subscription '${p.subscriptionId}' could not be found.`);
    }
    if (p.resourceGroupName !== undefined && p.resourceGroupName.toLowerCase() !== w.resourceGroup.toLowerCase()) {
      throw new AzureError(404, 'ResourceGroupNotFound', `Resource group '${p.resourceGroupName}' could not be found.`);
    }
    if (p.workspaceName !== undefined && p.workspaceName.toLowerCase() !== w.workspaceName.toLowerCase()) {
      throw new AzureError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.MachineLearningServices/workspaces/${p.workspaceName}' under resource group '${p.resourceGroupName}' was not found.`,
      );
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    if (pathOf(req).startsWith('/_admin/')) return;
    opts.journal.record({
      time: new Date().toISOString(),
      method: req.method,
      path: pathOf(req),
      operation: req.routeOptions.config?.operation,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      ...((req as FastifyRequest & { injected?: boolean }).injected ? { injected: true } : {}),
    });
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof AzureError) {
      reply.headers(err.headers).code(err.statusCode).send(err.toBody());
      return;
    }
    const e = err as { statusCode?: number; message?: string; code?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      reply
        .code(e.statusCode)
        .send(
          new AzureError(
            e.statusCode,
            e.statusCode === 413 ? 'RequestEntityTooLarge' : 'BadRequest',
            e.message ?? 'Bad request',
          ).toBody(),
        );
      return;
    }
    reply
      .code(500)
      .send(
        new AzureError(500, 'InternalServerError', `The local workspace failed: ${e.message ?? String(err)}`).toBody(),
      );
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send(
        new AzureError(
          404,
          'NotFound',
          `No operation matches ${req.method} ${pathOf(req)} in this local workspace.`,
        ).toBody(),
      );
  });

  return app;
}

export function pathOf(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  return i < 0 ? req.url : req.url.slice(0, i);
}

/** Validates a body (or query) at the edge; a 400 names the field at fault. */
export function parse<T>(schema: ZodType<T>, value: unknown, root = 'body'): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw fromZod(r.error, root);
  return r.data;
}

/** Answers with an ARM resource and optional LRO headers. */
export function send(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(status).headers(headers).send(body);
}

export const NameParam = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/,
    'must start with a letter or digit and contain only letters, digits, _ . -',
  );

/** Resource names in paths are validated like bodies: 400 naming the parameter. */
export function checkName(value: string, target: string): string {
  const r = NameParam.safeParse(value);
  if (!r.success) throw badRequest(`Invalid ${target} '${value}': ${r.error.issues[0]?.message}`, target, 'UserError');
  return value;
}

// The webhook server: a fastify app with JSON bodies, one error shape, health, and the GitHub,
// Event Grid and generic hooks.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { useJsonBodies } from './body';
import type { HookContext } from './context';
import { WebhookError, type WebhookErrorCode } from './errors';
import { eventGridHooks } from './eventgrid';
import { genericHooks } from './generic';
import { githubHooks } from './github';
import { createWebhookLogger, pathOf } from './logger';
import type { ProjectLookup } from './project';
import { temporalTrigger, type WebhookClient } from './trigger';

/**
 * Secrets shared by every project this server serves (one server per GitHub org/storage account is the expected setup).
 */
export interface WebhookSecrets {
  /** GitHub webhook secret (HMAC key of X-Hub-Signature-256). Unset = GitHub route off. */
  github?: string;
  /** Event Grid subscription secret (?code= or Bearer). Unset = Event Grid route off. */
  eventGrid?: string;
  /** Bearer token of the generic route. Unset = generic route off. */
  token?: string;
}

export interface WebhookServerOptions {
  client: WebhookClient;
  taskQueue: string;
  /** The workflow input of each project a webhook may name; undefined = unknown project (404). */
  projects: ProjectLookup;
  secrets: WebhookSecrets;
  /**
   * Which new blobs trigger: only those in `container` whose path starts with `prefix`.
   * Required when secrets.eventGrid is set.
   */
  eventGrid?: { container: string; prefix?: string };
  /** Branches whose pushes trigger (e.g. ["main"]); default every branch. */
  githubBranches?: string[];
  /** Interface to listen on; default 127.0.0.1 (use 0.0.0.0 behind a reverse proxy or tunnel). */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8787. */
  port?: number;
  /**
   * Largest accepted body; larger gets 413. Default 1 MiB (GitHub caps payloads at 25 MB, Event Grid batches at 1 MB).
   */
  bodyLimitBytes?: number;
  /** How long a request may wait for Temporal before answering 503. Default 5000 ms (GitHub gives up after 10 s). */
  temporalTimeoutMs?: number;
  logLevel?: string;
  /** Where log lines go; default stdout. */
  logDestination?: DestinationStream;
}

export interface WebhookServer {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  /** Stop accepting requests and finish in-flight ones. */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_PORT = 8787;
export const DEFAULT_TEMPORAL_TIMEOUT_MS = 5000;

interface ErrorReply {
  status: number;
  code: WebhookErrorCode;
  message: string;
  headers: Record<string, string>;
}

function errorReply(error: FastifyError | Error, bodyLimit: number): ErrorReply {
  if (error instanceof WebhookError)
    return { status: error.statusCode, code: error.code, message: error.message, headers: error.headers };
  const fe = error as FastifyError;
  const reply = (status: number, code: WebhookErrorCode, message: string): ErrorReply => ({
    status,
    code,
    message,
    headers: {},
  });
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply(
        413,
        'payload_too_large',
        `the body is larger than ${bodyLimit} bytes; this server accepts webhook payloads up to that size`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply(
        415,
        'unsupported_media_type',
        'unsupported content type; send JSON (Content-Type: application/json, or application/cloudevents+json for CloudEvents)',
      );
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return reply(status, status === 413 ? 'payload_too_large' : 'bad_request', fe.message);
  return reply(
    500,
    'internal',
    'internal error in the webhook server; its log has the details. The event was not recorded: redeliver it.',
  );
}

/** Builds the app without listening (tests use inject); startWebhookServer is the usual entry. */
export async function buildWebhookApp(options: WebhookServerOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const logger = createWebhookLogger(options.logLevel, options.logDestination);
  const app = Fastify({
    // pino's Logger carries its custom-level type parameter; fastify only needs the base logger API.
    loggerInstance: logger as FastifyBaseLogger,
    // The onResponse hook below writes one line per request, without the query string.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    return503OnClosing: true,
  });
  useJsonBodies(app);

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const { status, code, message, headers } = errorReply(error, bodyLimit);
    // Our own errors are expected conditions (a sender's mistake, Temporal down) and need no stack;
    // anything else is a bug.
    if (!(error instanceof WebhookError) && status >= 500)
      request.log.error({ err: error, status }, 'webhook request failed');
    else if (status >= 500) request.log.warn({ status, error: code, reason: message }, 'webhook request not recorded');
    else request.log.info({ status, error: code, reason: message }, 'webhook request refused');
    return reply.code(status).headers(headers).send({ error: code, message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${pathOf(request.url)}; webhooks are POST /hooks/github/:project, /hooks/eventgrid/:project and /hooks/retrain/:project`,
    }),
  );
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/healthz' && reply.statusCode < 400) return;
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        path: pathOf(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  const temporal = temporalTrigger(
    options.client,
    options.taskQueue,
    options.temporalTimeoutMs ?? DEFAULT_TEMPORAL_TIMEOUT_MS,
  );
  app.addHook('onClose', () => temporal.settle());
  const ctx: HookContext = { projects: options.projects, trigger: temporal.send };
  const { secrets } = options;
  app.get('/healthz', async () => ({
    ok: true,
    hooks: { github: Boolean(secrets.github), eventgrid: Boolean(secrets.eventGrid), retrain: Boolean(secrets.token) },
  }));
  await app.register(githubHooks, {
    prefix: '/hooks/github',
    ctx,
    secret: secrets.github,
    branches: options.githubBranches,
  });
  await app.register(eventGridHooks, {
    prefix: '/hooks/eventgrid',
    ctx,
    secret: secrets.eventGrid,
    container: options.eventGrid?.container,
    blobPrefix: options.eventGrid?.prefix,
  });
  await app.register(genericHooks, { prefix: '/hooks/retrain', ctx, token: secrets.token });
  return app;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const app = await buildWebhookApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}`, port, close: () => app.close() };
}

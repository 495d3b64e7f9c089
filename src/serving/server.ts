// The scoring server of one deployment: fastify app with auth, scoring, swagger, health and telemetry hooks.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { LoadedModel } from '../automl/types';
import { startAppInsights, type AppInsightsExporter } from './app-insights';
import { ScoringError } from './errors';
import { KeyRing, type KeySource } from './keys';
import { createDeploymentLogger } from './logger';
import { createServingMetrics } from './metrics';
import { formatScoringReply, parseScoringRequest, type Predictions, type ScoringMethod, type RequestShape } from './request-shapes';
import { compileRowValidator } from './row-validation';
import { buildSwagger } from './swagger';
import { registerSwaggerUi } from './swagger-ui';

export interface ScoringServerOptions {
  /** The model to serve (from src/automl's loadModel). */
  model: LoadedModel;
  /** Endpoint keys: values, or a key file that may be rewritten to rotate keys. */
  keys: KeySource;
  /** TCP port; 0 (default) picks a free one, reported in the result. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  endpointName?: string;
  deploymentName?: string;
  modelName?: string;
  modelVersion?: string;
  /** Per-request telemetry records (log lines, and Application Insights export when a connection string is given). Default false, as on Azure. */
  appInsightsEnabled?: boolean;
  /** Application Insights connection string; used only when appInsightsEnabled. */
  appInsightsConnectionString?: string;
  /** Directory for the deployment's log file (see deploymentLogPath); otherwise logs go to logDestination or stdout. */
  logDir?: string;
  logDestination?: DestinationStream;
  logLevel?: string;
  /** Fraction (0..1) of scoring requests whose body is logged with the telemetry record. Default 0. */
  logBodySampleRate?: number;
  /** Largest accepted request body; larger ones get 413. Default 8 MiB. */
  bodyLimitBytes?: number;
  /** How often the key file is polled for changes. Default 500 ms. */
  keyPollIntervalMs?: number;
}

export interface ScoringServer {
  /** Base URL, e.g. http://127.0.0.1:5001 */
  url: string;
  port: number;
  scoringUri: string;
  swaggerUri: string;
  /** The deployment's log file, when logDir was given. */
  logFile?: string;
  /** Re-read the key file now (also happens by itself when the file changes). */
  reloadKeys(): void;
  /** Stop accepting requests, finish in-flight ones, flush telemetry. */
  close(): Promise<void>;
}

interface RequestTelemetry {
  startMs: number;
  outputBytes: number;
  rows?: number;
  shape?: RequestShape;
  scoringMethod?: ScoringMethod;
  unseenCategories?: number;
  execMs?: number;
  error?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    telemetry: RequestTelemetry | null;
  }
}

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
// Routes probed constantly (orchestrators, dashboards) would drown the request log; they are still counted in metrics.
const QUIET_ROUTES = new Set(['/', '/liveness', '/readiness', '/metrics', '/swagger/:file', '/swagger/swagger-initializer.js']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function messageFor(error: FastifyError | ScoringError | Error, bodyLimit: number): { status: number; message: string } {
  if (error instanceof ScoringError) return { status: error.statusCode, message: error.message };
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `request body is larger than ${bodyLimit} bytes; send fewer rows per request` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'unsupported content type; send the body as JSON with Content-Type: application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'the request body is empty; send rows as JSON, see /swagger.json' };
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, message: `${fe.message}${error instanceof SyntaxError ? '; the body must be valid JSON' : ''}` };
  }
  return { status: 500, message: 'internal error while scoring; the deployment log has the details' };
}

function toProbabilities(classes: string[], matrix: number[][]): Predictions {
  return matrix.map((p) => {
    const out: Record<string, number> = {};
    for (let c = 0; c < classes.length; c++) out[classes[c] as string] = p[c] as number;
    return out;
  });
}

/** Builds the app without listening (tests use inject); startScoringServer is the usual entry. */
export async function buildScoringApp(options: ScoringServerOptions): Promise<{
  app: FastifyInstance;
  keyRing: KeyRing;
  logFile?: string;
  shutdown: () => Promise<void>;
}> {
  const { model } = options;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const bindings = {
    endpoint: options.endpointName ?? 'local',
    deployment: options.deploymentName ?? 'default',
    model: options.modelName ?? model.artifact.target,
    modelVersion: options.modelVersion ?? '1',
  };
  const log = createDeploymentLogger({
    logDir: options.logDir,
    destination: options.logDestination,
    level: options.logLevel,
    bindings,
    ref: { endpointName: options.endpointName, deploymentName: bindings.deployment },
  });
  const logger = log.logger;
  const keyRing = new KeyRing(
    options.keys,
    {
      onReload: (info) => logger.info({ event: 'keys-reloaded', keyFile: info.keyFile, keyCount: info.keyCount }, 'endpoint keys loaded'),
      onReloadError: (info) => logger.error({ event: 'keys-reload-failed', ...info }, 'key file changed but is unreadable; previous keys stay in force'),
    },
    options.keyPollIntervalMs,
  );
  const metrics = createServingMetrics({ endpoint: bindings.endpoint, deployment: bindings.deployment, model_version: bindings.modelVersion });
  const telemetryOn = options.appInsightsEnabled ?? false;
  let appInsights: AppInsightsExporter | undefined;
  if (telemetryOn && options.appInsightsConnectionString) {
    appInsights = await startAppInsights(options.appInsightsConnectionString, bindings, logger);
  }
  const sampleRate = options.logBodySampleRate ?? 0;
  const validateRows = compileRowValidator(model.inputSchema, model.artifact.target);
  const swaggerInfo = { title: `${bindings.endpoint}/${bindings.deployment}`, modelName: options.modelName, modelVersion: options.modelVersion };
  const swaggerDocs = { 2: buildSwagger(model, swaggerInfo, 2), 3: buildSwagger(model, swaggerInfo, 3) };
  let ready = false;

  const app = Fastify({
    // pino's Logger carries its custom-level type parameter; fastify only needs the base logger API.
    loggerInstance: logger as FastifyBaseLogger,
    // One telemetry line per request is written by the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    requestIdHeader: false,
    genReqId: (req) => {
      const sent = req.headers['x-ms-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    return503OnClosing: true,
  });
  // Only JSON is a scoring body; text/plain would otherwise be accepted and fail later with a vaguer 400.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('telemetry', null);

  // Hooks use callbacks rather than async functions: one less promise and microtask per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    request.telemetry = { startMs: performance.timeOrigin + performance.now(), outputBytes: 0 };
    reply.header('x-ms-request-id', request.id);
    const clientId = request.headers['x-ms-client-request-id'];
    if (typeof clientId === 'string' && REQUEST_ID.test(clientId)) reply.header('x-ms-client-request-id', clientId);
    done();
  });
  /** Sends a JSON reply serialized here, so its size is known for telemetry without an onSend hook. */
  const sendJson = (request: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply => {
    const text = JSON.stringify(body);
    if (request.telemetry) request.telemetry.outputBytes = Buffer.byteLength(text);
    return reply.type('application/json; charset=utf-8').send(text);
  };
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const latencyMs = reply.elapsedTime;
    metrics.observeRequest(route, status, latencyMs / 1000);
    const t = request.telemetry;
    if (!telemetryOn || !t || (QUIET_ROUTES.has(route) && status < 400)) return done();
    const inputBytes = Number(request.headers['content-length'] ?? 0) || 0;
    const path = request.url.split('?')[0] ?? request.url; // query strings are not logged: they could carry anything
    const record = {
      event: 'request',
      requestId: request.id,
      method: request.method,
      route,
      path,
      status,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      execMs: t.execMs,
      inputBytes,
      outputBytes: t.outputBytes,
      rows: t.rows,
      shape: t.shape,
      scoringMethod: t.scoringMethod,
      unseenCategories: t.unseenCategories,
      error: t.error,
      ...(route === '/score' && sampleRate > 0 && Math.random() < sampleRate ? { body: request.body } : {}),
    };
    log.writeRecord(record, 'request');
    appInsights?.trackRequest({ ...record, url: path, startTimeMs: t.startMs, latencyMs, error: t.error });
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = messageFor(error, bodyLimit);
    if (request.telemetry) request.telemetry.error = message;
    if (status >= 500) logger.error({ event: 'error', requestId: request.id, err: error }, 'request failed');
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return sendJson(request, reply.code(status), { message });
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `no route ${request.method} ${request.url.split('?')[0]}; score with POST /score, see /swagger.json`;
    if (request.telemetry) request.telemetry.error = message;
    return sendJson(request, reply.code(404), { message });
  });

  const authenticate = (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    const header = request.headers.authorization;
    if (header === undefined) return done(new ScoringError(401, 'missing Authorization header; send "Authorization: Bearer <endpoint key>"'));
    if (!keyRing.check(header)) return done(new ScoringError(401, 'invalid endpoint key; use the primary or secondary key from the endpoint (listKeys)'));
    done();
  };

  app.get('/', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Healthy'));
  app.get('/liveness', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Alive'));
  app.get('/readiness', async (_request, reply) =>
    ready ? reply.send({ status: 'ready' }) : reply.code(503).send({ message: 'not ready: starting or shutting down' }),
  );
  app.get<{ Querystring: { version?: string } }>('/swagger.json', async (request, reply) => {
    const version = request.query.version ?? '2';
    if (version !== '2' && version !== '3') throw new ScoringError(400, 'version must be 2 (Swagger 2.0, default) or 3 (OpenAPI 3.0)');
    return reply.send(swaggerDocs[version]);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  registerSwaggerUi(app);

  app.post('/score', { onRequest: authenticate }, async (request: FastifyRequest, reply: FastifyReply) => {
    const t0 = performance.now();
    const parsed = parseScoringRequest(request.body);
    const { rows, unseenCategories } = validateRows(parsed.rows);
    let predictions: Predictions;
    try {
      predictions =
        parsed.method === 'predict_proba' ? toProbabilities(model.classes, model.predictProba(rows)) : model.predict(rows);
    } catch (err) {
      logger.error({ event: 'model-error', requestId: request.id, err }, 'model failed to score');
      throw new ScoringError(500, 'the model failed to score these rows; the deployment log has the details');
    }
    if (predictions.length !== rows.length) {
      throw new ScoringError(500, `the model returned ${predictions.length} predictions for ${rows.length} rows; check the model artifact`);
    }
    const execMs = performance.now() - t0;
    const t = request.telemetry;
    if (t) Object.assign(t, { rows: rows.length, shape: parsed.shape, scoringMethod: parsed.method, unseenCategories, execMs: Math.round(execMs * 1000) / 1000 });
    metrics.observeScoring(rows.length, unseenCategories);
    reply.header('x-ms-run-fn-exec-ms', execMs.toFixed(3));
    return sendJson(request, reply, formatScoringReply(parsed.shape, predictions));
  });

  await app.ready();
  ready = true;
  const shutdown = async (): Promise<void> => {
    ready = false;
    keyRing.close();
    await app.close();
    await appInsights?.shutdown();
    logger.info({ event: 'stopped' }, 'scoring server stopped');
    await log.close();
  };
  return { app, keyRing, logFile: log.logFile, shutdown };
}

/** Starts a scoring server and resolves once it listens. */
export async function startScoringServer(options: ScoringServerOptions): Promise<ScoringServer> {
  const { app, keyRing, logFile, shutdown } = await buildScoringApp(options);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    await shutdown();
    throw new Error(`scoring server cannot listen on ${host}:${options.port ?? 0}: ${(err as Error).message}; choose another port`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  app.log.info({ event: 'listening', url, keyCount: keyRing.size, appInsights: options.appInsightsEnabled ?? false }, 'scoring server listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    scoringUri: `${url}/score`,
    swaggerUri: `${url}/swagger.json`,
    logFile,
    reloadKeys: () => keyRing.reload(),
    close: () => (closing ??= shutdown()),
  };
}

// The scoring server of one deployment: fastify app with auth, scoring, swagger, health routes;
// start and graceful close.
import { performance } from 'node:perf_hooks';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { DestinationStream } from 'pino';
import type { LoadedModel } from '../automl/types';
import { startAppInsights, type AppInsightsExporter } from './app-insights';
import { ScoringError, invalidJsonBody, messageFor } from './errors';
import { registerRequestTelemetry, requestIdOf } from './request-telemetry';
import { KeyRing, RECOMMENDED_KEY_LENGTH, type KeySource } from './keys';
import { createDeploymentLogger } from './logger';
import { createServingMetrics } from './metrics';
import { formatScoringReply, parseScoringRequest, type Predictions } from './request-shapes';
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
  /**
   * Input columns a row may leave out, scored with the value missing (a column a retrain added, allowed by the
   * project's optionalColumns setting); names the model does not have are ignored. Default none: all are required.
   */
  optionalColumns?: readonly string[];
  /**
   * Per-request telemetry records (log lines, and Application Insights export when a connection string is given).
   * Default false, as on Azure.
   */
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

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

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
      onReload: (info) =>
        logger[info.weakKeys > 0 ? 'warn' : 'info'](
          { event: 'keys-reloaded', ...info },
          info.weakKeys > 0
            ? `endpoint keys loaded; ${info.weakKeys} shorter than ${RECOMMENDED_KEY_LENGTH} characters: regenerate them`
            : 'endpoint keys loaded',
        ),
      onReloadError: (info) =>
        logger.error(
          { event: 'keys-reload-failed', ...info },
          'key file changed but is unreadable; previous keys stay in force',
        ),
    },
    options.keyPollIntervalMs,
  );
  const metrics = createServingMetrics({
    endpoint: bindings.endpoint,
    deployment: bindings.deployment,
    model_version: bindings.modelVersion,
  });
  const telemetryOn = options.appInsightsEnabled ?? false;
  let appInsights: AppInsightsExporter | undefined;
  if (telemetryOn && options.appInsightsConnectionString) {
    try {
      appInsights = await startAppInsights(options.appInsightsConnectionString, bindings, logger);
    } catch (err) {
      keyRing.close();
      await log.close();
      throw err;
    }
  }
  const sampleRate = options.logBodySampleRate ?? 0;
  const optionalColumns = options.optionalColumns ?? [];
  const validateRows = compileRowValidator(model.inputSchema, model.artifact.target, optionalColumns);
  const swaggerInfo = {
    title: `${bindings.endpoint}/${bindings.deployment}`,
    modelName: options.modelName,
    modelVersion: options.modelVersion,
    optionalColumns,
  };
  const swaggerDocs = { 2: buildSwagger(model, swaggerInfo, 2), 3: buildSwagger(model, swaggerInfo, 3) };
  let ready = false;

  const app = Fastify({
    // pino's Logger carries its custom-level type parameter; fastify only needs the base logger API.
    loggerInstance: logger as FastifyBaseLogger,
    // One telemetry line per request is written by the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger (a pino child per request costs a bindings serialization): the request
    // records carry their requestId themselves.
    childLoggerFactory: (parent) => parent,
    bodyLimit,
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers['x-ms-request-id']),
    return503OnClosing: true,
  });
  // Only JSON is a scoring body; text/plain would otherwise be accepted and fail later with a vaguer 400.
  app.removeContentTypeParser('text/plain');
  // fastify's JSON parser (prototype-poisoning checks included), with a refusal that says what is wrong and where.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    // fastify types a body parser as callback-style or async; the default JSON one is callback-style (returns nothing).
    void parseJson(request, text, (err, value) =>
      (err as FastifyError | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        ? done(invalidJsonBody(text), undefined)
        : done(err, value),
    );
  });

  const sendJson = registerRequestTelemetry(app, {
    metrics,
    log,
    appInsights,
    enabled: telemetryOn,
    bodySampleRate: sampleRate,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = messageFor(error, bodyLimit);
    if (request.telemetry) {
      request.telemetry.error = message;
      if (error instanceof ScoringError && error.missingColumns)
        request.telemetry.missingColumns = error.missingColumns;
    }
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
    if (header === undefined)
      return done(new ScoringError(401, 'missing Authorization header; send "Authorization: Bearer <endpoint key>"'));
    if (!keyRing.check(header))
      return done(
        new ScoringError(401, 'invalid endpoint key; use the primary or secondary key from the endpoint (listKeys)'),
      );
    done();
  };

  app.get('/', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Healthy'));
  app.get('/liveness', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Alive'));
  app.get('/readiness', async (_request, reply) =>
    ready ? reply.send({ status: 'ready' }) : reply.code(503).send({ message: 'not ready: starting or shutting down' }),
  );
  app.get<{ Querystring: { version?: string } }>('/swagger.json', async (request, reply) => {
    const version = request.query.version ?? '2';
    if (version !== '2' && version !== '3')
      throw new ScoringError(400, 'version must be 2 (Swagger 2.0, default) or 3 (OpenAPI 3.0)');
    return reply.send(swaggerDocs[version]);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  registerSwaggerUi(app);

  app.post('/score', { onRequest: authenticate }, async (request: FastifyRequest, reply: FastifyReply) => {
    const t0 = performance.now();
    const parsed = parseScoringRequest(request.body);
    const { rows, unseenCategories, missingColumns } = validateRows(parsed.rows);
    let predictions: Predictions;
    try {
      predictions =
        parsed.method === 'predict_proba'
          ? toProbabilities(model.classes, model.predictProba(rows))
          : model.predict(rows);
    } catch (err) {
      logger.error({ event: 'model-error', requestId: request.id, err }, 'model failed to score');
      throw new ScoringError(500, 'the model failed to score these rows; the deployment log has the details');
    }
    if (predictions.length !== rows.length) {
      throw new ScoringError(
        500,
        `the model returned ${predictions.length} predictions for ${rows.length} rows; check the model artifact`,
      );
    }
    const execMs = performance.now() - t0;
    const t = request.telemetry;
    if (t) {
      t.rows = rows.length;
      t.shape = parsed.shape;
      t.scoringMethod = parsed.method;
      t.unseenCategories = unseenCategories;
      t.missingColumns = missingColumns;
      t.execMs = Math.round(execMs * 1000) / 1000;
    }
    metrics.observeScoring(rows.length, unseenCategories);
    reply.header('x-ms-run-fn-exec-ms', execMs.toFixed(3));
    const body = formatScoringReply(parsed.shape, predictions);
    // Replies scored in one event-loop turn are written together, after the turn's reads (setImmediate runs
    // after the poll phase). Under load the caller's side is then woken once per batch instead of once per
    // reply: bench:serve measured server CPU per request 78 -> 40 us, for ~10 us more latency when idle.
    setImmediate(sendDeferred, request, reply, body);
    return reply; // fastify: the reply is sent later
  });
  const sendDeferred = (request: FastifyRequest, reply: FastifyReply, body: unknown): void => {
    try {
      sendJson(request, reply, body);
    } catch (err) {
      // Outside fastify's handler chain now: nothing else would catch this, and the process must keep serving.
      logger.error({ event: 'reply-error', requestId: request.id, err }, 'could not send the scoring reply');
      if (!reply.sent) reply.raw.destroy();
    }
  };

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
    throw new Error(
      `scoring server cannot listen on ${host}:${options.port ?? 0}: ${(err as Error).message}; choose another port`,
      { cause: err },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  app.log.info(
    {
      event: 'listening',
      url,
      keyCount: keyRing.size,
      weakKeys: keyRing.weakKeys,
      appInsights: options.appInsightsEnabled ?? false,
    },
    'scoring server listening',
  );
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

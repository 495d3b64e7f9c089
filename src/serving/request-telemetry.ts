// Per-request telemetry: request id headers, timing, sizes;
// metrics for every request and one record per request when enabled.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppInsightsExporter } from './app-insights';
import type { DeploymentLogger } from './logger';
import type { ServingMetrics } from './metrics';
import type { RequestShape, ScoringMethod } from './request-shapes';

export interface RequestTelemetry {
  startMs: number;
  outputBytes: number;
  rows?: number;
  shape?: RequestShape;
  scoringMethod?: ScoringMethod;
  unseenCategories?: number;
  /**
   * The model's input columns this request left out (optional ones scored as missing, or the required ones it was
   * refused for): names only, never values, and absent when it sent them all. The input compatibility check of a
   * retrain reads them back from the deployment's logs, to count the live requests a new model would refuse.
   */
  missingColumns?: string[];
  execMs?: number;
  error?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    telemetry: RequestTelemetry | null;
  }
}

// Routes probed constantly (orchestrators, dashboards) would drown the request log; they are still counted in metrics.
const QUIET_ROUTES = new Set([
  '/',
  '/liveness',
  '/readiness',
  '/metrics',
  '/swagger/:file',
  '/swagger/swagger-initializer.js',
]);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Caller-sent x-ms-request-id when well-formed (echoed back), else a new UUID; used as fastify's genReqId. */
export function requestIdOf(sent: string | string[] | undefined): string {
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

export interface TelemetryDeps {
  metrics: ServingMetrics;
  log: DeploymentLogger;
  appInsights?: AppInsightsExporter;
  /** Per-request records (Azure's appInsightsEnabled); metrics are kept either way. */
  enabled: boolean;
  bodySampleRate: number;
}

/**
 * Adds the hooks and returns sendJson, which replies with JSON serialized here so the reply size is known
 * without an onSend hook. Hooks use callbacks, not async functions: one less promise per request.
 */
export function registerRequestTelemetry(
  app: FastifyInstance,
  { metrics, log, appInsights, enabled: telemetryOn, bodySampleRate: sampleRate }: TelemetryDeps,
): (request: FastifyRequest, reply: FastifyReply, body: unknown) => FastifyReply {
  app.decorateRequest('telemetry', null);
  app.addHook('onRequest', (request, reply, done) => {
    request.telemetry = { startMs: performance.timeOrigin + performance.now(), outputBytes: 0 };
    reply.header('x-ms-request-id', request.id);
    const clientId = request.headers['x-ms-client-request-id'];
    if (typeof clientId === 'string' && REQUEST_ID.test(clientId)) reply.header('x-ms-client-request-id', clientId);
    done();
  });
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
    const q = request.url.indexOf('?');
    // Query strings are not logged: they could carry anything.
    const path = q < 0 ? request.url : request.url.slice(0, q);
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
      missingColumns: t.missingColumns,
      error: t.error,
      body: undefined as unknown, // JSON.stringify leaves it out unless sampled below
    };
    if (sampleRate > 0 && route === '/score' && Math.random() < sampleRate) record.body = request.body;
    log.writeRecord(record, 'request');
    appInsights?.trackRequest({ ...record, url: path, startTimeMs: t.startMs, latencyMs, error: t.error });
    done();
  });

  return sendJson;
}

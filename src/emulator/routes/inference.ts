// An endpoint's scoringUri: checks the endpoint key, picks a deployment (header or traffic split) and proxies to it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { Mirror } from '../mirror';
import { forwardToDeployment } from '../serving/forward';
import { getKeys, type StoredEndpoint } from './onlineEndpoints';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Inference errors use the inference server's shape ({message}), not ARM's. */
function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ message });
}

/** Weighted random pick by traffic percentages; undefined when all traffic is 0. */
export function pickByTraffic(traffic: Record<string, number>, random = Math.random): string | undefined {
  const total = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  let r = random() * total;
  for (const [name, weight] of Object.entries(traffic)) {
    if (weight <= 0) continue;
    if (r < weight) return name;
    r -= weight;
  }
  return Object.entries(traffic).find(([, w]) => w > 0)?.[0];
}

const FORWARD_REQUEST = ['content-type', 'authorization', 'accept', 'x-ms-client-request-id', 'x-request-id'];

/** What the scoring server answered, kept on the request for the telemetry hook. */
type ScoredRequest = FastifyRequest & { modelStatus?: number };

export function registerInferenceRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const mirror = new Mirror(ctx);
  const handle = (target: string) => async (req: FastifyRequest<{ Params: { ep: string } }>, reply: FastifyReply) => {
    const e = ctx.store.get<StoredEndpoint>('onlineEndpoints', req.params.ep);
    if (!e || e.properties.provisioningState === 'Deleting') return fail(reply, 404, `Endpoint '${req.params.ep}' not found.`);
    const keys = getKeys(ctx, e.name);
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const given = m ? digest(m[1]) : undefined;
    const ok = !!given && !!keys && [keys.primaryKey, keys.secondaryKey].some((k) => timingSafeEqual(digest(k), given));
    if (!ok) return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ message: 'Invalid or missing endpoint key: send Authorization: Bearer <key from listKeys>.' });

    const header = req.headers['azureml-model-deployment'];
    const wanted = Array.isArray(header) ? header[0] : header;
    let deployment: string | undefined;
    if (wanted) {
      if (!ctx.store.has('onlineDeployments', `${e.name}/${wanted}`)) return fail(reply, 404, `Deployment '${wanted}' (from the azureml-model-deployment header) not found in endpoint '${e.name}'.`);
      deployment = wanted;
    } else {
      deployment = pickByTraffic(e.properties.traffic);
      if (!deployment) {
        return fail(reply, 404, 'No valid deployments to route to. Please check that the endpoint has at least one deployment with positive weight values or use a deployment specific header to route.');
      }
    }
    reply.header('azureml-model-deployment', deployment);

    const headers: Record<string, string> = {};
    for (const h of FORWARD_REQUEST) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const qs = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const body = req.method === 'POST' ? (req.body as Buffer | undefined) : undefined; // raw bytes (parser above)
    const { operation } = req.routeOptions.config;
    const request = { method: req.method, target: `${target}${qs}`, operation, headers, body };
    const answer = await forwardToDeployment(ctx, e.name, deployment, request);
    (req as ScoredRequest).modelStatus = answer.modelStatus;
    reply.code(answer.status).headers(answer.headers).send(answer.body);
    // Azure mirrors only what the traffic split routed, never a request that named its deployment.
    if (!wanted) mirror.copy(e.name, e.properties.mirrorTraffic, request);
    return reply;
  };

  // Scoring bodies are forwarded byte for byte, as Azure's front end does: never parsed here, so a malformed body
  // gets the scoring server's own answer and numbers reach it with every digit. The ARM routes' JSON parser stays
  // outside this scope.
  app.register(async (inference) => {
    inference.removeAllContentTypeParsers();
    inference.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // Every answer of an existing endpoint is telemetry for its metrics (routes/metrics.ts), with the deployment
    // that answered it ('' when none was chosen: a wrong key, no traffic). Recorded as the answer goes out, so a
    // client that has its answer finds it in the metrics.
    inference.addHook('onSend', async (req: FastifyRequest<{ Params: { ep: string } }>, reply, payload) => {
      if (!ctx.store.has('onlineEndpoints', req.params.ep)) return payload;
      const deployment = reply.getHeader('azureml-model-deployment');
      ctx.liveMetrics.record(req.params.ep, {
        deployment: typeof deployment === 'string' ? deployment : '',
        status: reply.statusCode,
        modelStatus: (req as ScoredRequest).modelStatus,
        latencyMs: reply.elapsedTime,
      });
      return payload;
    });
    inference.post('/inference/:ep/score', { config: { auth: 'endpointKey', operation: 'Inference_Score' } }, handle('score'));
    // The inference server's liveness answer ("Healthy"), which smoke tests check first.
    inference.get('/inference/:ep/', { config: { auth: 'endpointKey', operation: 'Inference_Health' } }, handle(''));
    inference.get('/inference/:ep/swagger.json', { config: { auth: 'endpointKey', operation: 'Inference_Swagger' } }, handle('swagger.json'));
  });
}

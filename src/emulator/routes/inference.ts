// An endpoint's scoringUri: checks the endpoint key, picks a deployment (header or traffic split), proxies to it,
// copies to the mirror deployment and records every answer for the metrics.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext, RoutePlugin } from '../context';
import { Mirror } from '../mirror';
import * as onlineEndpoints from '../resources/onlineEndpoints';
import { forwardToDeployment } from '../serving/forward';

/** Inference errors use the inference server's shape ({message}), not ARM's. */
function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ message });
}

const FORWARD_REQUEST = ['content-type', 'authorization', 'accept', 'x-ms-client-request-id', 'x-request-id'];
const NO_TRAFFIC =
  'No valid deployments to route to. Please check that the endpoint has at least one deployment with positive ' +
  'weight values or use a deployment specific header to route.';

type InferenceRequest = FastifyRequest<{ Params: { ep: string } }>;
/** What the scoring server answered, kept on the request for the telemetry hook. */
type ScoredRequest = InferenceRequest & { modelStatus?: number };

/** The handler that authorizes, routes and forwards one kind of scoring request to `target` on a deployment. */
const forward =
  (ctx: EmulatorContext, mirror: Mirror, target: string) => async (req: InferenceRequest, reply: FastifyReply) => {
    const e = onlineEndpoints.get(ctx, req.params.ep);
    if (!e || e.properties.provisioningState === 'Deleting') {
      return fail(reply, 404, `Endpoint '${req.params.ep}' not found.`);
    }
    if (!onlineEndpoints.acceptsKey(ctx, e.name, req.headers.authorization)) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer')
        .send({ message: 'Invalid or missing endpoint key: send Authorization: Bearer <key from listKeys>.' });
    }

    const header = req.headers['azureml-model-deployment'];
    const wanted = Array.isArray(header) ? header[0] : header;
    let deployment: string | undefined;
    if (wanted) {
      if (!onlineEndpoints.hasDeployment(ctx, e.name, wanted)) {
        const message = `Deployment '${wanted}' (from the azureml-model-deployment header) not found in endpoint`;
        return fail(reply, 404, `${message} '${e.name}'.`);
      }
      deployment = wanted;
    } else {
      deployment = onlineEndpoints.pickByTraffic(e.properties.traffic);
      if (!deployment) return fail(reply, 404, NO_TRAFFIC);
    }
    reply.header('azureml-model-deployment', deployment);

    const headers: Record<string, string> = {};
    for (const h of FORWARD_REQUEST) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const qs = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const body = req.method === 'POST' ? (req.body as Buffer | undefined) : undefined; // raw bytes (parser below)
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
// gets the scoring server's own answer and numbers reach it with every digit. This plugin's scope keeps the ARM
// routes' JSON parser out.
export const inferenceRoutes: RoutePlugin = async (app, { ctx }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Every answer of an existing endpoint is telemetry for its metrics (routes/metrics.ts), with the deployment
  // that answered it ('' when none was chosen: a wrong key, no traffic). Recorded as the answer goes out, so a
  // client that has its answer finds it in the metrics.
  app.addHook('onSend', async (req: InferenceRequest, reply, payload) => {
    if (!onlineEndpoints.get(ctx, req.params.ep)) return payload;
    const deployment = reply.getHeader('azureml-model-deployment');
    ctx.liveMetrics.record(req.params.ep, {
      deployment: typeof deployment === 'string' ? deployment : '',
      status: reply.statusCode,
      modelStatus: (req as ScoredRequest).modelStatus,
      latencyMs: reply.elapsedTime,
    });
    return payload;
  });
  const mirror = new Mirror(ctx);
  const keyed = (operation: string) => ({ config: { auth: 'endpointKey' as const, operation } });
  app.post('/inference/:ep/score', keyed('Inference_Score'), forward(ctx, mirror, 'score'));
  // The inference server's liveness answer ("Healthy"), which smoke tests check first.
  app.get('/inference/:ep/', keyed('Inference_Health'), forward(ctx, mirror, ''));
  app.get('/inference/:ep/swagger.json', keyed('Inference_Swagger'), forward(ctx, mirror, 'swagger.json'));
};

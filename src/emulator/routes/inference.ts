// An endpoint's scoringUri: checks the endpoint key, picks a deployment (header or traffic split) and proxies to it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext, RoutePlugin } from '../context';
import * as onlineEndpoints from '../resources/onlineEndpoints';

/** Inference errors use the inference server's shape ({message}), not ARM's. */
function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ message });
}

const FORWARD_REQUEST = ['content-type', 'authorization', 'accept', 'x-ms-client-request-id', 'x-request-id'];
const FORWARD_RESPONSE = ['content-type', 'x-ms-request-id', 'x-ms-run-fn-exec-ms', 'x-ms-client-request-id'];
const NO_TRAFFIC =
  'No valid deployments to route to. Please check that the endpoint has at least one deployment with positive ' +
  'weight values or use a deployment specific header to route.';

type ScoringRequest = FastifyRequest<{ Params: { ep: string } }>;

/** The handler that authorizes, routes and forwards one kind of scoring request to `target` on an instance. */
const forward = (ctx: EmulatorContext, target: string) => async (req: ScoringRequest, reply: FastifyReply) => {
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
  const instance = ctx.deployments.pick(e.name, deployment);
  if (!instance) {
    const why = 'is it still provisioning or did it fail? see getLogs';
    return fail(reply, 503, `Deployment '${deployment}' has no running instance (${why}).`);
  }

  const headers: Record<string, string> = {};
  for (const h of FORWARD_REQUEST) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const qs = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
  const body = req.method === 'POST' ? (req.body as Buffer | undefined) : undefined; // raw bytes (parser below)
  let res: Response;
  try {
    const url = `http://127.0.0.1:${instance.port}/${target}${qs}`;
    res = await fetch(url, { method: req.method, headers, body, signal: AbortSignal.timeout(90_000) });
  } catch (err) {
    return fail(reply, 502, `Deployment '${deployment}' did not answer: ${(err as Error).message}`);
  }
  reply.code(res.status).header('azureml-model-deployment', deployment);
  for (const h of FORWARD_RESPONSE) {
    const v = res.headers.get(h);
    if (v !== null) reply.header(h, v);
  }
  return reply.send(Buffer.from(await res.arrayBuffer()));
};

// Scoring bodies are forwarded byte for byte, as Azure's front end does: never parsed here, so a malformed body
// gets the scoring server's own answer and numbers reach it with every digit. This plugin's scope keeps the ARM
// routes' JSON parser out.
export const inferenceRoutes: RoutePlugin = async (app, { ctx }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const keyed = (operation: string) => ({ config: { auth: 'endpointKey' as const, operation } });
  app.post('/inference/:ep/score', keyed('Inference_Score'), forward(ctx, 'score'));
  // The inference server's liveness answer ("Healthy"), which smoke tests check first.
  app.get('/inference/:ep/', keyed('Inference_Health'), forward(ctx, ''));
  app.get('/inference/:ep/swagger.json', keyed('Inference_Swagger'), forward(ctx, 'swagger.json'));
};

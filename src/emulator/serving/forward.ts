// One scoring request to one deployment: an instance of it, through the faults injected for it, answered in full.
import type { EmulatorContext } from '../context';

export interface ScoringRequest {
  method: string;
  /** The scoring server's path and query string, e.g. `score` or `swagger.json?version=3`. */
  target: string;
  /** The route's operation (Inference_Score), which fault rules may name. */
  operation?: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface ScoringAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The scoring server's status; undefined when the front end answered for it (no instance, no answer). */
  modelStatus?: number;
}

const FORWARD_RESPONSE = ['content-type', 'x-ms-request-id', 'x-ms-run-fn-exec-ms', 'x-ms-client-request-id'];

/** Errors of the front end and of the inference server share one shape: {message}. */
function answer(status: number, message: string, modelStatus?: number): ScoringAnswer {
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  return { status, headers, body: Buffer.from(JSON.stringify({ message })), modelStatus };
}

export async function forwardToDeployment(
  ctx: EmulatorContext,
  endpoint: string,
  deployment: string,
  request: ScoringRequest,
): Promise<ScoringAnswer> {
  const instance = ctx.deployments.pick(endpoint, deployment);
  if (!instance) {
    const why = 'is it still provisioning or did it fail? see getLogs';
    return answer(503, `Deployment '${deployment}' has no running instance (${why}).`);
  }
  const path = `/inference/${endpoint}/${request.target}`;
  const fault = ctx.faults.decide({ method: request.method, path, operation: request.operation, endpoint, deployment });
  const slow = () => (fault.delayMs ? new Promise((r) => setTimeout(r, fault.delayMs)) : Promise.resolve());
  if (fault.fail) {
    await slow();
    // As if the scoring server itself failed: the status is the model's.
    const { status } = fault.fail;
    return answer(status, `Injected fault: deployment '${deployment}' answered ${status}.`, status);
  }
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${instance.port}/${request.target}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(90_000),
    });
  } catch (err) {
    return answer(502, `Deployment '${deployment}' did not answer: ${(err as Error).message}`);
  }
  // A slow deployment is slow inside: the instance has the request before the delay, so one removed meanwhile
  // (a rollback) still answers it, as a scoring server drains its requests on SIGTERM. Delaying before the forward
  // made a rolled-back slow deployment answer 502 to the requests it held (bench:rollout, bad deployment, slow).
  const body = Buffer.from(await res.arrayBuffer());
  await slow();
  const headers: Record<string, string> = {};
  for (const h of FORWARD_RESPONSE) {
    const v = res.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  return { status: res.status, headers, body, modelStatus: res.status };
}

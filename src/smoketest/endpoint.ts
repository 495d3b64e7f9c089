// An online endpoint to test: scoring URI and key, the URIs derived from it, and HTTP calls with a deadline.
import { Agent, fetch } from 'undici';
export interface EndpointTarget {
  /** POST URL, e.g. https://my-ep.westeurope.inference.ml.azure.com/score */
  scoringUri: string;
  /** Endpoint key (primary or secondary); sent as "Authorization: Bearer <key>", never written to reports. */
  key: string;
  /** Default: the scoring URI with /score replaced by /swagger.json. */
  swaggerUri?: string;
  /** Default: the scoring URI with /score replaced by / (Azure's inference server answers "Healthy"). */
  healthUri?: string;
  /** Per-call deadline; default 10 s. */
  timeoutMs?: number;
  /** PEM of a CA to trust besides the system's (e.g. the local workspace's self-signed certificate). */
  ca?: string;
  /**
   * Extra headers on every call, e.g. {"azureml-model-deployment": "blue"} to test a deployment before it gets traffic.
   */
  headers?: Record<string, string>;
}

function sibling(scoringUri: string, path: string): string {
  const url = new URL(scoringUri);
  url.pathname = url.pathname.replace(/\/score\/?$/, '') + path;
  url.search = '';
  return url.toString();
}

export const swaggerUriOf = (t: EndpointTarget): string => t.swaggerUri ?? sibling(t.scoringUri, '/swagger.json');
export const healthUriOf = (t: EndpointTarget): string => t.healthUri ?? sibling(t.scoringUri, '/');

export interface HttpReply {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  ms: number;
}

const agents = new Map<string, Agent>();
/** One connection pool per extra CA, so calls trust it without weakening TLS for anything else. */
function agentFor(ca: string): Agent {
  let agent = agents.get(ca);
  if (!agent) agents.set(ca, (agent = new Agent({ connect: { ca } })));
  return agent;
}

/** One HTTP call with a deadline; transport failures reject with a message naming the URL. */
export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  timeoutMs = 10_000,
  target: Pick<EndpointTarget, 'ca' | 'headers'> = {},
): Promise<HttpReply> {
  const t0 = performance.now();
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      ...init,
      headers: { ...target.headers, ...init.headers },
      signal: AbortSignal.timeout(timeoutMs),
      ...(target.ca ? { dispatcher: agentFor(target.ca) } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${init.method ?? 'GET'} ${url} failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`, {
      cause: err,
    });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, ms: performance.now() - t0 };
}

/** POST a JSON body to the scoring URI with the target's key, another key, or none (null). */
export function score(target: EndpointTarget, body: string, key: string | null = target.key): Promise<HttpReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return call(target.scoringUri, { method: 'POST', headers, body }, target.timeoutMs, target);
}

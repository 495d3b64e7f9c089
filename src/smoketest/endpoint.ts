// An online endpoint to test: scoring URI and key, the URIs derived from it, and HTTP calls with a deadline.
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
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  ms: number;
}

/** One HTTP call with a deadline; transport failures reject with a message naming the URL. */
export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  timeoutMs = 10_000,
): Promise<HttpReply> {
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${init.method ?? 'GET'} ${url} failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
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
  return call(target.scoringUri, { method: 'POST', headers, body }, target.timeoutMs);
}

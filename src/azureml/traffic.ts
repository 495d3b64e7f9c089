// An endpoint's traffic and mirror traffic, sent at api-version 2024-10-01 (the SDK's 2022-10-01 drops mirrorTraffic).
import { azureFailure } from './errors';
import type { AzureMLClient } from './client';

/** The stable api-version whose OnlineEndpoint has mirrorTraffic. */
export const TRAFFIC_API_VERSION = '2024-10-01';

export interface TrafficSplit {
  /** Percent of live requests per deployment: 0 or 100 in all. */
  traffic: Record<string, number>;
  /** Percent of live requests copied to one deployment (at most 50); its answers never reach the client. */
  mirrorTraffic: Record<string, number>;
}

interface EndpointResource {
  location?: string;
  tags?: Record<string, string>;
  kind?: string;
  identity?: unknown;
  properties: Partial<TrafficSplit> & Record<string, unknown>;
}

const splitOf = (e: EndpointResource): TrafficSplit => ({
  traffic: e.properties.traffic ?? {},
  mirrorTraffic: e.properties.mirrorTraffic ?? {},
});

const sameShares = (a: Record<string, number>, b: Record<string, number>): boolean => {
  const nonZero = (r: Record<string, number>) =>
    JSON.stringify(
      Object.entries(r)
        .filter(([, v]) => v > 0)
        .sort(),
    );
  return nonZero(a) === nonZero(b);
};

export async function getTraffic(client: AzureMLClient, endpoint: string): Promise<TrafficSplit> {
  const what = `read the traffic of endpoint ${endpoint}`;
  const opts = { apiVersion: TRAFFIC_API_VERSION };
  return splitOf((await client.armRequest<EndpointResource>('GET', `onlineEndpoints/${endpoint}`, what, opts)).body);
}

/**
 * Sets live and mirror traffic and waits until the endpoint has it. Idempotent: a split already in force sends nothing.
 * Left out, `traffic` stays, and `mirrorTraffic` stays except for deployments that now take live traffic (Azure lets a
 * deployment take live or mirror traffic, not both), so promoting a shadow is one call.
 */
export async function setTraffic(
  client: AzureMLClient,
  endpoint: string,
  split: Partial<TrafficSplit>,
): Promise<TrafficSplit> {
  const path = `onlineEndpoints/${endpoint}`;
  const what = `set the traffic of endpoint ${endpoint} to ${JSON.stringify(split)}`;
  const opts = { apiVersion: TRAFFIC_API_VERSION, fix: 'Check the deployment names and shares in the message.' };
  const current = (await client.armRequest<EndpointResource>('GET', path, what, opts)).body;
  const traffic = split.traffic ?? splitOf(current).traffic;
  const mirrorTraffic =
    split.mirrorTraffic ??
    Object.fromEntries(Object.entries(splitOf(current).mirrorTraffic).filter(([d]) => !((traffic[d] ?? 0) > 0)));
  const now = splitOf(current);
  if (sameShares(now.traffic, traffic) && sameShares(now.mirrorTraffic, mirrorTraffic)) return now;

  const body = { ...current, properties: { ...current.properties, traffic, mirrorTraffic } };
  const put = await client.armRequest<EndpointResource>('PUT', path, what, { ...opts, body });
  const operation = put.headers['azure-asyncoperation'];
  if (operation) await waitForOperation(client, operation, what);
  return splitOf((await client.armRequest<EndpointResource>('GET', path, what, opts)).body);
}

interface OperationStatus {
  status?: string;
  error?: { code?: string; message?: string };
}

/** Polls an Azure-AsyncOperation until it ends, as the SDK's pollers do (Retry-After honoured). */
async function waitForOperation(client: AzureMLClient, url: string, what: string, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = await client.armRequest<OperationStatus>('GET', url, what);
    const status = op.body.status ?? 'InProgress';
    if (status === 'Succeeded') return;
    if (status === 'Failed' || status === 'Canceled') {
      // The update did not take: the caller's retry sends the same split again.
      const { code = status, message = status } = op.body.error ?? {};
      throw azureFailure({ statusCode: 500, code, message }, what);
    }
    if (Date.now() > deadline) throw azureFailure({ message: `still ${status} after ${timeoutMs / 1000} s` }, what);
    const retryAfter = Number(op.headers['retry-after']);
    const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : Math.min(client.target.pollSeconds, 5);
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }
}

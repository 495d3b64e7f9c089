// Live metrics per deployment from Azure Monitor (the local workspace serves the same API): one code path for both.
import type { MetricsQueryResult } from '@azure/monitor-query';
import type { AzureMLClient } from './client';
import { call } from './errors';

/**
 * Metric names and dimensions of "Supported metrics for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
 * (Azure Monitor reference): RequestsPerMinute (Count, dimensions deployment, statusCode, statusCodeClass,
 * modelStatusCode) and RequestLatency_P95 (Milliseconds, dimension deployment), both PT1M with Average as their
 * documented aggregation, so that is the one asked for: at PT1M the average of RequestsPerMinute is that minute's
 * count.
 */
const REQUESTS = 'RequestsPerMinute';
const LATENCY_P95 = 'RequestLatency_P95';

export interface DeploymentMetrics {
  deployment: string;
  requests: number;
  status4xx: number;
  status5xx: number;
  /** The worst minute's p95 latency in the window; undefined without requests. */
  latencyP95Ms?: number;
}

export interface MetricsWindow {
  /** Only these deployments (each listed, with zeros when quiet); default every deployment with requests. */
  deployments?: string[];
  /** The last N seconds; or an explicit timespan. Azure Monitor publishes a minute 1-3 minutes after it ends. */
  windowSeconds?: number;
  timespan?: { startTime: Date; endTime: Date };
}

/** Per-deployment requests, 4xx, 5xx and p95 latency of an endpoint over a window. */
export async function deploymentMetrics(
  client: AzureMLClient,
  endpoint: string,
  window: MetricsWindow,
): Promise<DeploymentMetrics[]> {
  const resourceId = client.armId(`onlineEndpoints/${endpoint}`);
  const end = new Date();
  const seconds = window.windowSeconds ?? 300;
  const timespan = window.timespan ?? { startTime: new Date(end.getTime() - seconds * 1000), endTime: end };
  const options = { timespan, granularity: 'PT1M', aggregations: ['Average' as const], top: 100 };
  const query = (metric: string, filter: string) =>
    call(`read ${metric} of endpoint ${endpoint}`, () =>
      client.metrics.queryResource(resourceId, [metric], { ...options, filter }),
    );
  const [requests, latency] = await Promise.all([
    query(REQUESTS, "deployment eq '*' and statusCodeClass eq '*'"),
    query(LATENCY_P95, "deployment eq '*'"),
  ]);

  const byDeployment = new Map<string, DeploymentMetrics>();
  const entry = (deployment: string): DeploymentMetrics => {
    // Deployment names are case-insensitive in Azure; a request header may spell one differently.
    let m = byDeployment.get(deployment.toLowerCase());
    if (!m) {
      m = { deployment, requests: 0, status4xx: 0, status5xx: 0 };
      byDeployment.set(deployment.toLowerCase(), m);
    }
    return m;
  };
  for (const d of window.deployments ?? []) entry(d);
  for (const { dims, values } of series(requests, REQUESTS)) {
    const count = values.reduce((a, b) => a + b, 0);
    const m = entry(dims.deployment ?? '');
    m.requests += count;
    if (dims.statusCodeClass === '4xx') m.status4xx += count;
    if (dims.statusCodeClass === '5xx') m.status5xx += count;
  }
  for (const { dims, values } of series(latency, LATENCY_P95)) {
    if (values.length > 0) entry(dims.deployment ?? '').latencyP95Ms = Math.max(...values);
  }
  const wanted = window.deployments?.map((d) => d.toLowerCase());
  const shown = (m: DeploymentMetrics) => (wanted ? wanted.includes(m.deployment.toLowerCase()) : m.deployment !== '');
  return [...byDeployment.values()].filter(shown);
}

/** Each time series of a metric as its dimension values and the averages it has. */
function series(result: MetricsQueryResult, metric: string): { dims: Record<string, string>; values: number[] }[] {
  return (result.getMetricByName(metric)?.timeseries ?? []).map((ts) => ({
    dims: Object.fromEntries((ts.metadataValues ?? []).map((mv) => [mv.name, mv.value ?? ''])),
    values: (ts.data ?? []).flatMap((p) => (typeof p.average === 'number' ? [p.average] : [])),
  }));
}

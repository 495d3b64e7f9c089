// Load benchmark of a scoring endpoint with autocannon: N requests or D seconds at C connections, percentiles,
// errors by status.
import autocannon from 'autocannon';
import type { EndpointTarget } from './endpoint';
import { applyGate, type BenchmarkThresholds, type GateResult } from './gate';
import { textTable, writeReport, type ReportFiles } from './report';

export interface BenchmarkOptions extends EndpointTarget {
  /** The request body (written to data.json), e.g. one row in the AutoML v2 shape. */
  body: unknown;
  /** Concurrent connections; default 10. */
  connections?: number;
  /** Run this many seconds (default 10)... */
  durationSeconds?: number;
  /** ...or exactly this many requests (takes precedence). */
  requests?: number;
  thresholds?: BenchmarkThresholds;
  /** Where to write data.json, benchmark.json and benchmark.txt. */
  outDir?: string;
}

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface BenchmarkResult {
  scoringUri: string;
  startedAt: string;
  connections: number;
  durationSeconds: number;
  /** Responses received (any status). */
  requests: number;
  requestsPerSecond: number;
  /** Response latency in ms, over all responses. */
  latencyMs: LatencySummary;
  /** Responses by HTTP status, e.g. {"200": 51234}. */
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts (no HTTP status). */
  transportErrors: number;
  timeouts: number;
  /** (non-2xx responses + transport errors) / (responses + transport errors). */
  errorRate: number;
  bodyBytes: number;
  gate?: GateResult;
  files?: ReportFiles;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function summarize(latencies: number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0;
  return {
    min: round(sorted[0] ?? 0),
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

/** Runs the load; every response's latency is kept, so percentiles (p95 included) are exact. */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const body = JSON.stringify(options.body);
  const connections = options.connections ?? 10;
  const startedAt = new Date().toISOString();
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.scoringUri,
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
        ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
        body,
        connections,
        ...(options.requests !== undefined
          ? { amount: options.requests }
          : { duration: options.durationSeconds ?? 10 }),
        timeout: Math.ceil((options.timeoutMs ?? 10_000) / 1000),
      },
      (err, res) =>
        err
          ? reject(new Error(`benchmark of ${options.scoringUri} failed to run: ${(err as Error).message}`))
          : resolve(res),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      const key = String(statusCode);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
    });
  });
  const requests = latencies.length;
  const failed =
    Object.entries(statusCounts).reduce((n, [status, count]) => (status.startsWith('2') ? n : n + count), 0) +
    result.errors;
  const attempts = requests + result.errors;
  const out: BenchmarkResult = {
    scoringUri: options.scoringUri,
    startedAt,
    connections,
    durationSeconds: result.duration,
    requests,
    requestsPerSecond: result.duration > 0 ? Math.round((requests / result.duration) * 10) / 10 : 0,
    latencyMs: summarize(latencies),
    statusCounts,
    transportErrors: result.errors,
    timeouts: result.timeouts,
    errorRate: attempts > 0 ? failed / attempts : 0,
    bodyBytes: Buffer.byteLength(body),
  };
  if (options.thresholds) out.gate = applyGate(out, options.thresholds);
  if (options.outDir) out.files = writeReport(options.outDir, 'benchmark', body, out, benchmarkText(out));
  return out;
}

/** A short human-readable report. */
export function benchmarkText(r: BenchmarkResult): string {
  const l = r.latencyMs;
  const lines = [
    `Benchmark of ${r.scoringUri} at ${r.startedAt}`,
    `${r.requests} requests in ${r.durationSeconds.toFixed(2)} s at ${r.connections} connections: ${r.requestsPerSecond} req/s; body ${r.bodyBytes} bytes`,
    '',
    textTable(
      ['latency ms', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'],
      [['', ...[l.min, l.mean, l.p50, l.p90, l.p95, l.p99, l.max].map((v) => v.toFixed(2))]],
    ),
    textTable(
      ['status', 'count'],
      [
        ...Object.entries(r.statusCounts).sort(),
        ...(r.transportErrors > 0 ? [['transport errors', String(r.transportErrors)]] : []),
      ].map(([s, c]) => [String(s), String(c)]),
    ),
    `error rate ${(r.errorRate * 100).toFixed(3)}%`,
  ];
  if (r.gate) lines.push('', `gate: ${r.gate.passed ? 'PASSED' : 'FAILED'}`, ...r.gate.reasons.map((x) => `  ${x}`));
  return `${lines.join('\n')}\n`;
}

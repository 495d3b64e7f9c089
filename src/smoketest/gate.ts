// The benchmark gate: a benchmark passes when its p95 latency, error rate and throughput are within thresholds.
export interface BenchmarkThresholds {
  /** Highest acceptable 95th-percentile latency, ms. */
  maxP95Ms?: number;
  /** Highest acceptable 99th-percentile latency, ms. */
  maxP99Ms?: number;
  /** Highest acceptable share of failed requests (non-2xx and transport errors), 0..1. */
  maxErrorRate?: number;
  /** Lowest acceptable throughput, requests/s. */
  minRequestsPerSecond?: number;
}

export interface GateResult {
  passed: boolean;
  /** One line per threshold: what was measured against what was allowed. */
  reasons: string[];
}

export interface GateInput {
  latencyMs: { p95: number; p99: number };
  errorRate: number;
  requestsPerSecond: number;
  requests: number;
}

export function applyGate(m: GateInput, t: BenchmarkThresholds): GateResult {
  const reasons: string[] = [];
  let passed = true;
  const rule = (ok: boolean, text: string): void => {
    passed &&= ok;
    reasons.push(`${ok ? 'ok' : 'FAILED'}: ${text}`);
  };
  if (m.requests === 0) rule(false, 'no request completed; is the endpoint reachable?');
  if (t.maxP95Ms !== undefined)
    rule(m.latencyMs.p95 <= t.maxP95Ms, `p95 latency ${m.latencyMs.p95.toFixed(2)} ms <= ${t.maxP95Ms} ms`);
  if (t.maxP99Ms !== undefined)
    rule(m.latencyMs.p99 <= t.maxP99Ms, `p99 latency ${m.latencyMs.p99.toFixed(2)} ms <= ${t.maxP99Ms} ms`);
  if (t.maxErrorRate !== undefined)
    rule(
      m.errorRate <= t.maxErrorRate,
      `error rate ${(m.errorRate * 100).toFixed(3)}% <= ${(t.maxErrorRate * 100).toFixed(3)}%`,
    );
  if (t.minRequestsPerSecond !== undefined) {
    rule(
      m.requestsPerSecond >= t.minRequestsPerSecond,
      `throughput ${m.requestsPerSecond.toFixed(0)} req/s >= ${t.minRequestsPerSecond} req/s`,
    );
  }
  return { passed, reasons };
}

// The benchmark measures a real scoring server: counts by status, ordered percentiles, gate verdicts, report files.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exampleRequests, startScoringServer, type ScoringServer } from '../../../src/serving';
import { applyGate, percentile, runBenchmark } from '../../../src/smoketest';
import { trainBankModel } from '../serving/bank-model';
import { PRIMARY } from '../serving/toy-model';

describe('benchmark', () => {
  let server: ScoringServer;
  let body: unknown;
  beforeAll(async () => {
    const fx = trainBankModel();
    server = await startScoringServer({
      model: fx.model,
      keys: { primaryKey: PRIMARY },
      logDestination: new Writable({ write: (_c, _e, d) => d() }),
    });
    body = exampleRequests(fx.model).automl;
  });
  afterAll(() => server.close());

  it('runs N requests and reports throughput, percentiles, statuses and a passing gate', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'amlops-bench-'));
    const r = await runBenchmark({
      scoringUri: server.scoringUri,
      key: PRIMARY,
      body,
      connections: 4,
      requests: 400,
      thresholds: { maxP95Ms: 1000, maxErrorRate: 0 },
      outDir,
    });
    expect(r.requests).toBe(400);
    expect(r.statusCounts).toEqual({ '200': 400 });
    expect(r.errorRate).toBe(0);
    expect(r.requestsPerSecond).toBeGreaterThan(0);
    const l = r.latencyMs;
    expect(l.min).toBeGreaterThan(0);
    expect(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max).toBe(true);
    expect(r.gate?.passed).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'data.json'), 'utf8'))).toEqual(body);
    const text = readFileSync(join(outDir, 'benchmark.txt'), 'utf8');
    expect(text).toMatch(/400 requests/);
    expect(text).toMatch(/p95/);
    expect(text + readFileSync(join(outDir, 'benchmark.json'), 'utf8')).not.toContain(PRIMARY);
  });

  it('counts errors by status and fails the gate when every request is refused', async () => {
    const r = await runBenchmark({
      scoringUri: server.scoringUri,
      key: 'not-the-key-0123456789',
      body,
      connections: 2,
      requests: 50,
      thresholds: { maxErrorRate: 0.01 },
    });
    expect(r.statusCounts).toEqual({ '401': 50 });
    expect(r.errorRate).toBe(1);
    expect(r.gate?.passed).toBe(false);
    expect(r.gate?.reasons.join('\n')).toMatch(/FAILED: error rate 100.000% <= 1.000%/);
  });

  it('runs for a duration', async () => {
    const r = await runBenchmark({
      scoringUri: server.scoringUri,
      key: PRIMARY,
      body,
      connections: 2,
      durationSeconds: 1,
    });
    expect(r.durationSeconds).toBeGreaterThanOrEqual(0.9);
    expect(r.requests).toBeGreaterThan(10);
  });
});

describe('gate and percentiles', () => {
  it('nearest-rank percentiles', () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile(new Float64Array(0), 99)).toBe(0);
  });
  it('fails on slow p95 and on no requests', () => {
    const slow = applyGate(
      { latencyMs: { p95: 12, p99: 20 }, errorRate: 0, requestsPerSecond: 100, requests: 10 },
      { maxP95Ms: 10 },
    );
    expect(slow).toEqual({ passed: false, reasons: ['FAILED: p95 latency 12.00 ms <= 10 ms'] });
    expect(
      applyGate({ latencyMs: { p95: 0, p99: 0 }, errorRate: 0, requestsPerSecond: 0, requests: 0 }, {}).passed,
    ).toBe(false);
  });
});

// A steady client load on an endpoint, as live clients make it: a fixed request rate whatever the answers, each
// request counted (status, latency, the deployment that answered), so a change to the endpoint can be judged by
// the failed and slow requests it caused.
import { score, type EndpointTarget } from './endpoint';
import { percentile } from './benchmark';

export interface SteadyLoadOptions {
  /** Requests per second, sent on a fixed schedule (open loop: a slow answer does not slow the clients down). */
  rate: number;
  /** Request bodies, sent in turn (e.g. single rows in the champion's schema). */
  bodies: string[];
  /** An answer slower than this counts as slow; default 1,000 ms. */
  slowMs?: number;
  /** Per-request deadline; a request that outlives it fails. Default 10 s. */
  timeoutMs?: number;
}

/** One answered (or failed) request, by the time it was sent relative to the load's start. */
export interface LoadSample {
  atMs: number;
  /** HTTP status; 0 when no answer arrived (connection error, deadline). */
  status: number;
  ms: number;
  /** The deployment that answered (the azureml-model-deployment reply header), when known. */
  deployment?: string;
}

export interface SteadyLoadSummary {
  sent: number;
  ok: number;
  /** Requests that got no 2xx answer: what a client would see as a failure. */
  failed: number;
  slow: number;
  byStatus: Record<string, number>;
  byDeployment: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  durationMs: number;
  /** When the first and last failures happened (ms after the start), for detection-time figures. */
  firstFailureAtMs?: number;
  lastFailureAtMs?: number;
}

export interface SteadyLoad {
  /** Samples so far (answered requests only), in the order the answers came. */
  readonly samples: readonly LoadSample[];
  /** Stops sending, waits for the requests in flight, and summarizes. */
  stop(): Promise<SteadyLoadSummary>;
}

/** Starts the load now; it runs until stop(). */
export function startSteadyLoad(target: EndpointTarget, options: SteadyLoadOptions): SteadyLoad {
  if (!(options.rate > 0 && options.rate <= 1000)) {
    throw new Error(`The load's rate must be between 0 and 1,000 requests per second (got ${options.rate}).`);
  }
  if (options.bodies.length === 0) throw new Error('The load needs at least one request body to send.');
  const slowMs = options.slowMs ?? 1000;
  const request: EndpointTarget = { ...target, timeoutMs: options.timeoutMs ?? 10_000 };
  const samples: LoadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  let stopped = false;

  const fire = () => {
    const atMs = performance.now() - started;
    const body = options.bodies[sent % options.bodies.length];
    sent++;
    const done = score(request, body)
      .then((reply) => {
        const deployment = reply.headers.get('azureml-model-deployment') ?? undefined;
        samples.push({ atMs, status: reply.status, ms: reply.ms, ...(deployment ? { deployment } : {}) });
      })
      .catch(() => {
        samples.push({ atMs, status: 0, ms: performance.now() - started - atMs });
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  // A timer per request would drift under load; each tick sends what the schedule says is due by now.
  const interval = 1000 / options.rate;
  const ticker = setInterval(
    () => {
      const due = Math.floor((performance.now() - started) / interval) + 1;
      while (!stopped && sent < due) fire();
    },
    Math.max(1, Math.min(20, interval)),
  );

  return {
    samples,
    async stop(): Promise<SteadyLoadSummary> {
      stopped = true;
      clearInterval(ticker);
      const durationMs = performance.now() - started;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      return summarize(samples, sent, slowMs, durationMs);
    },
  };
}

/** The load's counts and latency percentiles; requests sent but never answered count as failed. */
export function summarize(
  samples: readonly LoadSample[],
  sent: number,
  slowMs: number,
  durationMs: number,
): SteadyLoadSummary {
  const byStatus: Record<string, number> = {};
  const byDeployment: Record<string, number> = {};
  const latencies = new Float64Array(samples.length);
  let ok = 0;
  let slow = 0;
  let firstFailureAtMs: number | undefined;
  let lastFailureAtMs: number | undefined;
  samples.forEach((s, i) => {
    byStatus[String(s.status)] = (byStatus[String(s.status)] ?? 0) + 1;
    if (s.deployment) byDeployment[s.deployment] = (byDeployment[s.deployment] ?? 0) + 1;
    latencies[i] = s.ms;
    if (s.ms > slowMs) slow++;
    if (s.status >= 200 && s.status < 300) ok++;
    else {
      firstFailureAtMs = Math.min(firstFailureAtMs ?? s.atMs, s.atMs);
      lastFailureAtMs = Math.max(lastFailureAtMs ?? s.atMs, s.atMs);
    }
  });
  latencies.sort();
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    sent,
    ok,
    failed: sent - ok,
    slow,
    byStatus,
    byDeployment,
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    durationMs: Math.round(durationMs),
    ...(firstFailureAtMs !== undefined ? { firstFailureAtMs: Math.round(firstFailureAtMs) } : {}),
    ...(lastFailureAtMs !== undefined ? { lastFailureAtMs: Math.round(lastFailureAtMs) } : {}),
  };
}

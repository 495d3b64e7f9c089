// Prometheus metrics of one scoring server: requests by status, latency histogram, rows and unseen categories.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServingMetrics {
  registry: Registry;
  observeRequest(route: string, status: number, latencySeconds: number): void;
  observeScoring(rows: number, unseenCategories: number): void;
}

/** A registry per server (not the global one), so several servers can share a process in tests. */
export function createServingMetrics(labels: Record<string, string>): ServingMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'scoring_requests_total',
    help: 'HTTP requests answered, by route and status code.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'scoring_request_duration_seconds',
    help: 'Time from request received to response sent.',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const rows = new Counter({ name: 'scoring_rows_total', help: 'Rows scored.', registers: [registry] });
  const unseen = new Counter({
    name: 'scoring_unseen_categories_total',
    help: 'Categorical values not seen in training (scored as unseen).',
    registers: [registry],
  });
  // Label children are looked up once per route/status, not hashed from a labels object on every request.
  const counters = new Map<string, Counter.Internal>();
  const histograms = new Map<string, Histogram.Internal<'route'>>();
  return {
    registry,
    observeRequest(route, status, latencySeconds) {
      const key = `${status} ${route}`;
      let counter = counters.get(key);
      if (!counter) counters.set(key, (counter = requests.labels({ route, status: String(status) })));
      counter.inc();
      let histogram = histograms.get(route);
      if (!histogram) histograms.set(route, (histogram = latency.labels({ route })));
      histogram.observe(latencySeconds);
    },
    observeScoring(rowCount, unseenCount) {
      rows.inc(rowCount);
      if (unseenCount > 0) unseen.inc(unseenCount);
    },
  };
}

// Azure Monitor's metrics answer (Metrics - List) for an online endpoint, computed from the front end's telemetry.
import type { RequestRecord } from './live-metrics';

/**
 * Names, units and dimensions from "Supported metrics for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
 * (Azure Monitor reference, MicrosoftDocs/azure-monitor-docs): RequestsPerMinute (Count; deployment, statusCode,
 * statusCodeClass, modelStatusCode), RequestLatency and RequestLatency_P50/P90/P95/P99 (Milliseconds; deployment), all
 * sampled per minute (PT1M) with Average as the default aggregation. The endpoint's other metrics (ConnectionsActive,
 * NetworkBytes, NewConnectionsPerSecond, DataCollection*) describe Azure's network edge and are not recorded here.
 */
interface MetricDef {
  name: string;
  display: string;
  unit: 'Count' | 'Milliseconds';
  dimensions: readonly Dimension[];
  /** The per-minute value Azure samples, from the requests of that minute. */
  sample(records: RequestRecord[]): number;
}

type Dimension = 'deployment' | 'statusCode' | 'statusCodeClass' | 'modelStatusCode';

const DIMENSION_VALUE: Record<Dimension, (r: RequestRecord) => string> = {
  deployment: (r) => r.deployment,
  statusCode: (r) => String(r.status),
  statusCodeClass: (r) => `${Math.floor(r.status / 100)}xx`,
  modelStatusCode: (r) => (r.modelStatus === undefined ? '' : String(r.modelStatus)),
};

/** Nearest-rank percentile of the latencies. */
function percentile(p: number): (records: RequestRecord[]) => number {
  return (records) => {
    const sorted = records.map((r) => r.latencyMs).sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  };
}

const latency = (name: string, display: string, sample: MetricDef['sample']): MetricDef => ({
  name,
  display,
  unit: 'Milliseconds',
  dimensions: ['deployment'],
  sample,
});

const METRICS: readonly MetricDef[] = [
  {
    name: 'RequestsPerMinute',
    display: 'Requests Per Minute',
    unit: 'Count',
    dimensions: ['deployment', 'statusCode', 'statusCodeClass', 'modelStatusCode'],
    sample: (records) => records.length,
  },
  latency('RequestLatency', 'Request Latency', (rs) => rs.reduce((s, r) => s + r.latencyMs, 0) / rs.length),
  latency('RequestLatency_P50', 'Request Latency P50', percentile(0.5)),
  latency('RequestLatency_P90', 'Request Latency P90', percentile(0.9)),
  latency('RequestLatency_P95', 'Request Latency P95', percentile(0.95)),
  latency('RequestLatency_P99', 'Request Latency P99', percentile(0.99)),
];

export const METRICS_NAMESPACE = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
/** api-versions of Microsoft.Insights/metrics; @azure/monitor-query 1.3 sends 2024-02-01. */
export const METRICS_API_VERSIONS = ['2018-01-01', '2019-07-01', '2021-05-01', '2023-10-01', '2024-02-01'];
/** Azure's time grains, and FULL: one data point for the whole timespan. */
const GRAINS = ['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H', 'PT6H', 'PT12H', 'P1D', 'FULL'];
const AGGREGATIONS = ['Average', 'Count', 'Minimum', 'Maximum', 'Total'] as const;
type Aggregation = (typeof AGGREGATIONS)[number];
const MINUTE = 60_000;
const MAX_POINTS = 10_000;

/** A refused query: Azure Monitor answers these with a top-level {code, message}. */
export class MetricsQueryError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string): MetricsQueryError => new MetricsQueryError(400, 'BadRequest', message);

/** ISO 8601 duration (P1D, PT1H30M, PT10S) in ms; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text.length <= 1 || /T$/i.test(text)) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  return ((d * 24 + h) * 60 + min) * MINUTE + s * 1000;
}

/** timespan: start/end, start/duration, duration/end or a duration back from now; Azure's default is the last hour. */
function parseTimespan(text: string | undefined, now: number): { start: number; end: number } {
  if (!text) return { start: now - 60 * MINUTE, end: now };
  const parts = text.split('/');
  const at = (s: string): number | undefined => (/^\d{4}-/.test(s) ? Date.parse(s) : undefined);
  const invalid = bad(
    `Invalid timespan '${text}': use start/end (ISO 8601 times), start/duration, duration/end or a duration.`,
  );
  if (parts.length === 1) {
    const d = durationMs(parts[0]);
    if (d === undefined) throw invalid;
    return { start: now - d, end: now };
  }
  if (parts.length !== 2) throw invalid;
  const [a, b] = parts;
  const [ta, tb, da, db] = [at(a), at(b), durationMs(a), durationMs(b)];
  const span =
    ta !== undefined && tb !== undefined
      ? { start: ta, end: tb }
      : ta !== undefined && db !== undefined
        ? { start: ta, end: ta + db }
        : da !== undefined && tb !== undefined
          ? { start: tb - da, end: tb }
          : undefined;
  if (!span || Number.isNaN(span.start) || Number.isNaN(span.end)) throw invalid;
  if (span.end <= span.start) throw bad(`Invalid timespan '${text}': its end must be after its start.`);
  return span;
}

interface Clause {
  dimension: Dimension;
  op: 'eq' | 'ne';
  /** Lower-cased; '*' splits by the dimension. */
  values: string[];
}

/**
 * $filter as Azure Monitor takes it: clauses joined by `and`, each `dim eq 'v'`, `dim ne 'v'`, `dim eq '*'` (split by
 * dim) or a parenthesised `or` of one dimension's values.
 */
function parseFilter(text: string | undefined, metrics: MetricDef[]): Clause[] {
  if (!text || !text.trim()) return [];
  const tokens = text.match(/\(|\)|'(?:[^']|'')*'|[^\s()']+/g) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw bad(`Invalid $filter '${text}': ${why}. Use e.g. deployment eq '*' and statusCodeClass eq '5xx'.`);
  };
  const comparison = (): { dimension: Dimension; op: 'eq' | 'ne'; value: string } => {
    const [name, op, quoted] = [tokens[i], tokens[i + 1]?.toLowerCase(), tokens[i + 2]];
    i += 3;
    if (!name || (op !== 'eq' && op !== 'ne') || !quoted?.startsWith("'")) {
      return fail("expected <dimension> eq|ne 'value'");
    }
    const dimension = checkDimension(name, metrics);
    return { dimension, op, value: quoted.slice(1, -1).replace(/''/g, "'").toLowerCase() };
  };
  const clauses: Clause[] = [];
  for (;;) {
    if (tokens[i] === '(') {
      i++;
      const first = comparison();
      const values = [first.value];
      while (tokens[i]?.toLowerCase() === 'or') {
        i++;
        const next = comparison();
        if (next.dimension !== first.dimension || next.op !== first.op) fail('an or-group must compare one dimension');
        values.push(next.value);
      }
      if (tokens[i++] !== ')') fail('missing )');
      clauses.push({ dimension: first.dimension, op: first.op, values });
    } else {
      const c = comparison();
      clauses.push({ dimension: c.dimension, op: c.op, values: [c.value] });
    }
    if (i >= tokens.length) return clauses;
    if (tokens[i++]?.toLowerCase() !== 'and') fail(`unexpected '${tokens[i - 1]}'`);
  }
}

function checkDimension(name: string, metrics: MetricDef[]): Dimension {
  for (const m of metrics) {
    const d = m.dimensions.find((x) => x.toLowerCase() === name.toLowerCase());
    if (!d) {
      throw bad(
        `Metric: ${m.name} does not support requested dimension combination: ${name}, ` +
          `supported ones are: ${m.dimensions.join(',')}`,
      );
    }
  }
  return metrics[0].dimensions.find((x) => x.toLowerCase() === name.toLowerCase()) as Dimension;
}

function matches(r: RequestRecord, clauses: Clause[]): boolean {
  return clauses.every((c) => {
    if (c.values.includes('*')) return true;
    const v = DIMENSION_VALUE[c.dimension](r).toLowerCase();
    return c.op === 'eq' ? c.values.includes(v) : !c.values.includes(v);
  });
}

function parseMetricNames(text: string | undefined): MetricDef[] {
  const names = METRICS.map((m) => m.name).join(',');
  if (!text) throw bad(`The metricnames parameter is required; this resource has: ${names}`);
  return text.split(',').map((raw) => {
    const def = METRICS.find((m) => m.name.toLowerCase() === raw.trim().toLowerCase());
    if (!def) {
      throw bad(
        `Failed to find metric configuration for provider: Microsoft.MachineLearningServices, resource Type: ` +
          `workspaces/onlineEndpoints, metric: ${raw.trim()}, Valid metrics: ${names}`,
      );
    }
    return def;
  });
}

function parseAggregations(text: string | undefined): Aggregation[] | undefined {
  if (!text) return undefined;
  return text.split(',').map((raw) => {
    const a = AGGREGATIONS.find((x) => x.toLowerCase() === raw.trim().toLowerCase());
    if (!a) throw bad(`Invalid aggregation '${raw.trim()}': valid values are ${AGGREGATIONS.join(', ')}.`);
    return a;
  });
}

export interface MetricsQuery {
  metricnames?: string;
  timespan?: string;
  interval?: string;
  aggregation?: string;
  $filter?: string;
  top?: string;
  metricnamespace?: string;
}

interface DataPoint {
  timeStamp: string;
  average?: number;
  count?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
}

function aggregate(samples: number[], aggregations: Aggregation[], timeStamp: string, isCount: boolean): DataPoint {
  const point: DataPoint = { timeStamp };
  // A count metric reads 0 in a quiet minute; a latency has no value at all.
  if (samples.length === 0 && !isCount) return point;
  const total = samples.reduce((a, b) => a + b, 0);
  for (const a of aggregations) {
    if (a === 'Total') point.total = total;
    else if (a === 'Count') point.count = samples.length;
    else if (samples.length === 0) continue;
    else if (a === 'Average') point.average = total / samples.length;
    else if (a === 'Minimum') point.minimum = Math.min(...samples);
    else point.maximum = Math.max(...samples);
  }
  return point;
}

/** The Metrics - List body for one endpoint's records (`records` covers at least the timespan). */
export function metricsResponse(
  resourceId: string,
  region: string,
  query: MetricsQuery,
  recordsBetween: (from: number, to: number) => RequestRecord[],
  now = Date.now(),
): unknown {
  if (query.metricnamespace && query.metricnamespace.toLowerCase() !== METRICS_NAMESPACE.toLowerCase()) {
    throw bad(`Invalid metricnamespace '${query.metricnamespace}': this resource's namespace is ${METRICS_NAMESPACE}.`);
  }
  const metrics = parseMetricNames(query.metricnames);
  const aggregations = parseAggregations(query.aggregation);
  const clauses = parseFilter(query.$filter, metrics);
  const { start, end } = parseTimespan(query.timespan, now);
  const grainText = (query.interval ?? 'PT1M').toUpperCase();
  if (!GRAINS.includes(grainText)) {
    throw bad(`Invalid interval '${query.interval}': valid values are ${GRAINS.join(', ')}.`);
  }
  const grain = grainText === 'FULL' ? end - start : (durationMs(grainText) as number);
  const first = grainText === 'FULL' ? start : Math.floor(start / grain) * grain;
  if ((end - first) / grain > MAX_POINTS) {
    throw bad(`The timespan holds more than ${MAX_POINTS} intervals of ${grainText}.`);
  }
  const top = query.top === undefined ? 10 : Number(query.top);
  if (!Number.isInteger(top) || top < 1) throw bad(`Invalid top '${query.top}': a positive integer.`);

  const records = recordsBetween(start, end).filter((r) => matches(r, clauses));
  const shown = [...new Set(clauses.filter((c) => c.op === 'eq').map((c) => c.dimension))];
  const split = clauses.some((c) => c.op === 'eq');

  const value = metrics.map((m) => {
    const series = groupBy(records, (r) => JSON.stringify(shown.map((d) => DIMENSION_VALUE[d](r))));
    // Unsplit, a quiet resource still has its one series; split, a series exists only for values that were seen.
    if (!split && series.size === 0) series.set('[]', []);
    const ordered = [...series.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, top);
    return {
      id: `${resourceId}/providers/Microsoft.Insights/metrics/${m.name}`,
      type: 'Microsoft.Insights/metrics',
      name: { value: m.name, localizedValue: m.display },
      displayDescription: m.display,
      unit: m.unit,
      errorCode: 'Success',
      timeseries: ordered.map(([key, rs]) => ({
        metadatavalues: (JSON.parse(key) as string[]).map((v, i) => ({
          name: { value: shown[i], localizedValue: shown[i] },
          value: v,
        })),
        data: points(m, rs, first, end, grain, aggregations ?? ['Average']),
      })),
    };
  });
  return {
    cost: 0,
    timespan: `${new Date(start).toISOString()}/${new Date(end).toISOString()}`,
    interval: grainText === 'FULL' ? 'FULL' : grainText,
    namespace: METRICS_NAMESPACE,
    resourceregion: region,
    value,
  };
}

/** One data point per grain: Azure samples each minute, then aggregates the samples that fall in the grain. */
function points(
  m: MetricDef,
  records: RequestRecord[],
  first: number,
  end: number,
  grain: number,
  aggs: Aggregation[],
): DataPoint[] {
  const out: DataPoint[] = [];
  for (let t = first; t < end; t += grain) {
    const inGrain = records.filter((r) => r.time >= t && r.time < t + grain);
    const samples = [...groupBy(inGrain, (r) => Math.floor(r.time / MINUTE)).values()].map((rs) => m.sample(rs));
    out.push(aggregate(samples, aggs, new Date(t).toISOString(), m.unit === 'Count'));
  }
  return out;
}

function groupBy<K>(records: RequestRecord[], key: (r: RequestRecord) => K): Map<K, RequestRecord[]> {
  const groups = new Map<K, RequestRecord[]>();
  for (const r of records) {
    const k = key(r);
    const group = groups.get(k);
    if (group) group.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

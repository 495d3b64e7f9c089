// The local Azure Monitor answer on hand-made telemetry: per-minute samples, grains, $filter splits, bounds, errors.
import { LiveMetrics, type RequestRecord } from '../../../src/emulator/live-metrics';
import {
  type MetricsQueryError,
  durationMs,
  metricsResponse,
  type MetricsQuery,
} from '../../../src/emulator/metrics-api';

const T0 = Date.parse('2025-01-01T10:00:00Z');
const rec = (second: number, deployment: string, status: number, latencyMs: number): RequestRecord => ({
  time: T0 + second * 1000,
  deployment,
  status,
  modelStatus: status,
  latencyMs,
});
// Minute 0: blue 3 x 200 (10, 20, 30 ms) and 1 x 500 (40 ms); minute 1: blue 1 x 200 (100 ms), green 2 x 404.
const RECORDS = [
  rec(1, 'blue', 200, 10),
  rec(2, 'blue', 200, 20),
  rec(3, 'blue', 200, 30),
  rec(4, 'blue', 500, 40),
  rec(61, 'blue', 200, 100),
  rec(62, 'green', 404, 5),
  rec(63, 'green', 404, 7),
];

interface Series {
  metadatavalues: { name: { value: string }; value: string }[];
  data: Record<string, number | string>[];
}

interface Body {
  value: { name: { value: string }; timeseries: Series[] }[];
}

function query(q: MetricsQuery): Body {
  const between = (from: number, to: number) => RECORDS.filter((r) => r.time >= from && r.time < to);
  return metricsResponse('/ep', 'local', q, between, T0 + 10 * 60_000) as Body;
}

const span = 'timespan=2025-01-01T10:00:00Z/2025-01-01T10:02:00Z';
const q = (s: string): MetricsQuery => Object.fromEntries(new URLSearchParams(`${span}&${s}`)) as MetricsQuery;
const seriesOf = (b: Body) =>
  b.value[0].timeseries.map((ts) => ({
    dims: Object.fromEntries(ts.metadatavalues.map((m) => [m.name.value, m.value])),
    data: ts.data,
  }));
const totals = (filter: string, extra = '') =>
  seriesOf(query(q(`metricnames=RequestsPerMinute&interval=FULL&aggregation=Total&$filter=${filter}${extra}`))).map(
    (s) => [s.dims, s.data[0].total],
  );

test('RequestsPerMinute: one sample per minute, aggregated per grain', () => {
  const perMinute = seriesOf(query(q('metricnames=RequestsPerMinute&interval=PT1M&aggregation=Average,Total,Count')));
  expect(perMinute).toEqual([
    {
      dims: {},
      data: [
        { timeStamp: '2025-01-01T10:00:00.000Z', average: 4, total: 4, count: 1 },
        { timeStamp: '2025-01-01T10:01:00.000Z', average: 3, total: 3, count: 1 },
      ],
    },
  ]);
  const full = seriesOf(query(q('metricnames=RequestsPerMinute&interval=FULL&aggregation=Average,Total,Maximum')));
  expect(full[0].data).toEqual([{ timeStamp: '2025-01-01T10:00:00.000Z', average: 3.5, total: 7, maximum: 4 }]);
});

test("$filter splits by eq '*', filters by values, and shows the dimensions compared with eq", () => {
  expect(totals("deployment eq '*' and statusCodeClass eq '*'")).toEqual([
    [{ deployment: 'blue', statusCodeClass: '2xx' }, 4],
    [{ deployment: 'green', statusCodeClass: '4xx' }, 2],
    [{ deployment: 'blue', statusCodeClass: '5xx' }, 1],
  ]);
  expect(totals("statusCodeClass ne '2xx'")).toEqual([[{}, 3]]);
  expect(totals("(statusCode eq '500' or statusCode eq '404')")).toEqual([
    [{ statusCode: '404' }, 2],
    [{ statusCode: '500' }, 1],
  ]);
  expect(totals("deployment eq '*' and statusCodeClass eq '*'", '&top=1')).toHaveLength(1);
});

test('latency percentiles are nearest-rank per minute; a quiet minute has no value', () => {
  const p95 = seriesOf(query(q(`metricnames=RequestLatency_P95&interval=PT1M&$filter=deployment eq 'blue'`)));
  expect(p95).toEqual([
    {
      dims: { deployment: 'blue' },
      data: [
        { timeStamp: '2025-01-01T10:00:00.000Z', average: 40 },
        { timeStamp: '2025-01-01T10:01:00.000Z', average: 100 },
      ],
    },
  ]);
  const p50 = seriesOf(query(q(`metricnames=RequestLatency_P50&interval=FULL&aggregation=Maximum`)));
  // Every deployment: minute 0 (10, 20, 30, 40 ms) has p50 20, minute 1 (100, 5, 7 ms) has p50 7.
  expect(p50[0].data[0]).toMatchObject({ maximum: 20 });
  const quiet = query({ metricnames: 'RequestLatency', timespan: '2025-01-01T11:00:00Z/PT1M' });
  expect(quiet.value[0].timeseries[0].data).toEqual([{ timeStamp: '2025-01-01T11:00:00.000Z' }]);
});

test('timespans: start/end, start/duration, duration/end and a duration back from now', () => {
  expect(durationMs('PT1H30M')).toBe(5_400_000);
  expect(durationMs('P1DT10S')).toBe(86_410_000);
  expect(durationMs('PT')).toBeUndefined();
  expect(durationMs('1H')).toBeUndefined();
  const total = (timespan: string) => {
    const body = query({ metricnames: 'RequestsPerMinute', timespan, interval: 'FULL', aggregation: 'Total' });
    return body.value[0].timeseries[0].data[0].total;
  };
  expect(total('2025-01-01T10:00:00Z/PT1M')).toBe(4);
  expect(total('PT1M/2025-01-01T10:02:00Z')).toBe(3);
  // Now is 10:10: the last hour holds everything, the last five minutes nothing.
  expect(total('PT1H')).toBe(7);
  expect(total('PT5M')).toBe(0);
});

test('refused queries name what is wrong', () => {
  const error = (s: MetricsQuery) => {
    try {
      query(s);
    } catch (e) {
      return e as MetricsQueryError;
    }
    throw new Error('no error');
  };
  expect(error({}).message).toMatch(/metricnames parameter is required/);
  const rpm = (more: MetricsQuery) => error({ metricnames: 'RequestsPerMinute', ...more }).message;
  expect(error({ metricnames: 'NetworkBytes' }).message).toMatch(/NetworkBytes, Valid metrics: RequestsPerMinute,/);
  expect(rpm({ aggregation: 'Median' })).toMatch(/Invalid aggregation 'Median'/);
  expect(rpm({ interval: 'PT10S' })).toMatch(/Invalid interval 'PT10S'/);
  expect(rpm({ timespan: 'yesterday' })).toMatch(/Invalid timespan/);
  expect(rpm({ $filter: "deployment = 'x'" })).toMatch(/Invalid \$filter/);
  expect(error({ metricnames: 'RequestsPerMinute,RequestLatency', $filter: "statusCode eq '*'" }).message).toMatch(
    /RequestLatency does not support requested dimension combination: statusCode, supported ones are: deployment/,
  );
  const namespace = 'Microsoft.Compute/virtualMachines';
  expect(error({ metricnames: 'RequestsPerMinute', metricnamespace: namespace })).toMatchObject({
    statusCode: 400,
    code: 'BadRequest',
  });
});

test('the recorder keeps a bounded, time-ordered window per endpoint', () => {
  let now = T0;
  const live = new LiveMetrics({ maxPerEndpoint: 3, maxAgeMs: 10_000 }, () => now);
  for (let i = 0; i < 5; i++) {
    now = T0 + i * 1000;
    live.record('EP', { deployment: 'blue', status: 200, latencyMs: i });
  }
  expect(live.between('ep', 0, Infinity).map((r) => r.latencyMs)).toEqual([2, 3, 4]);
  expect(live.between('ep', T0 + 3000, T0 + 4000).map((r) => r.latencyMs)).toEqual([3]);
  now = T0 + 20_000;
  live.record('ep', { deployment: 'green', status: 503, latencyMs: 9 });
  expect(live.between('ep', 0, Infinity).map((r) => r.deployment)).toEqual(['green']);
  live.forget('Ep');
  expect(live.between('ep', 0, Infinity)).toEqual([]);
});

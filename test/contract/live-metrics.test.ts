// Contract: live metrics via @azure/monitor-query, mirror traffic at 2024-10-01 and deployment faults.
import { type RestError } from '@azure/core-rest-pipeline';
import { parseCsv, train } from '../../src/automl';
import { AzureMLClient, deploymentMetrics, getTraffic, localTarget, setTraffic } from '../../src/azureml';
import { FAST, bankSample, call, startTestWorkspace, waitFor, type TestWorkspace } from './helpers';

let t: TestWorkspace;
let client: AzureMLClient;
let scoringUri: string;
let key: string;
const EP = 'live-ep';
const rows = bankSample(400).trim().split('\n');
const header = rows[0].split(',');
const record = (i: number) => {
  const values = rows[1 + i].split(',');
  return Object.fromEntries(header.filter((h) => h !== 'y').map((h) => [h, values[header.indexOf(h)]]));
};

const score = (i: number, headers: Record<string, string> = {}, body: unknown = { data: [record(i)] }) =>
  call(t.ws, 'POST', scoringUri, { token: key, body, headers });

const metricsOf = async (deployment: string, since?: Date) => {
  // The timespan ends after now: a request answered in this very millisecond counts too.
  const timespan = { startTime: since ?? new Date(Date.now() - 600_000), endTime: new Date(Date.now() + 1000) };
  const all = await deploymentMetrics(client, EP, { timespan, deployments: [deployment] });
  return all[0];
};

/** A deployment's request count once mirrored copies in flight have landed (it stops changing). */
const settled = (deployment: string, quietMs = 300) =>
  waitFor(
    `${deployment}'s mirrored copies to land`,
    async () => {
      const a = (await metricsOf(deployment)).requests;
      await new Promise((r) => setTimeout(r, quietMs));
      const b = (await metricsOf(deployment)).requests;
      return a === b ? b : undefined;
    },
    15_000,
  );

beforeAll(async () => {
  t = await startTestWorkspace();
  client = new AzureMLClient(localTarget({ ...t.ws, caCertificatePath: t.ws.caCertificatePath }, t.ws.credential));
  // A small real model, trained here in a few seconds, is what both deployments serve.
  const settings = { target: 'y', timeoutSeconds: 3, maxTrials: 2, enableEnsemble: false, seed: 3 };
  const model = train(parseCsv(bankSample(1500)), settings, { now: Date.now });
  const json = JSON.stringify(model.artifact);
  await t.container.getBlockBlobClient('models/live/model.json').upload(json, Buffer.byteLength(json));
  const modelUri = 'azureml://datastores/workspaceblobstore/paths/models/live/model.json';
  const version = await t.client.modelVersions.createOrUpdate(t.rg, t.name, 'live-model', '1', {
    properties: { modelType: 'custom_model', modelUri },
  });
  const endpoint = await t.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    t.rg,
    t.name,
    EP,
    { location: 'local', properties: { authMode: 'Key' }, identity: { type: 'SystemAssigned' } },
    FAST,
  );
  scoringUri = endpoint.properties.scoringUri!;
  for (const name of ['blue', 'green']) {
    await t.client.onlineDeployments.beginCreateOrUpdateAndWait(
      t.rg,
      t.name,
      EP,
      name,
      {
        location: 'local',
        sku: { name: 'Default', capacity: 1 },
        properties: { endpointComputeType: 'Managed', model: version.id!, instanceType: 'Standard_DS3_v2' },
      },
      FAST,
    );
  }
  await setTraffic(client, EP, { traffic: { blue: 100, green: 0 } });
  key = (await t.client.onlineEndpoints.listKeys(t.rg, t.name, EP)).primaryKey!;
}, 180_000);
afterAll(async () => {
  await t?.dispose();
});

describe('live metrics (Azure Monitor Metrics - List, through MetricsQueryClient)', () => {
  test('requests, 4xx and p95 latency per deployment after a known number of scoring calls', async () => {
    for (let i = 0; i < 12; i++) expect((await score(i)).status).toBe(200);
    const toBlue = { 'azureml-model-deployment': 'blue' };
    for (let i = 0; i < 3; i++) expect((await score(i, toBlue, '{"data": [')).status).toBe(400);
    for (let i = 0; i < 5; i++) expect((await score(i, { 'azureml-model-deployment': 'green' })).status).toBe(200);

    const blue = await metricsOf('blue');
    expect(blue).toMatchObject({ deployment: 'blue', requests: 15, status4xx: 3, status5xx: 0 });
    expect(blue.latencyP95Ms).toBeGreaterThan(0);
    expect(blue.latencyP95Ms).toBeLessThan(5000);
    expect(await metricsOf('green')).toMatchObject({ requests: 5, status4xx: 0, status5xx: 0 });

    // The raw answer has Azure's shape: one series per split dimension value, metadata named as Azure names it.
    const raw = await client.metrics.queryResource(client.armId(`onlineEndpoints/${EP}`), ['RequestsPerMinute'], {
      timespan: { duration: 'PT10M' },
      granularity: 'FULL',
      aggregations: ['Total', 'Count'],
      filter: "deployment eq 'blue' and statusCodeClass eq '*'",
    });
    const series = raw.getMetricByName('RequestsPerMinute')!.timeseries;
    const classOf = (s: (typeof series)[number]) => s.metadataValues!.find((m) => m.name === 'statusCodeClass')!.value;
    const byClass = Object.fromEntries(series.map((s) => [classOf(s), s.data![0].total]));
    expect(byClass).toEqual({ '2xx': 12, '4xx': 3 });
    expect(raw.metrics[0]).toMatchObject({ name: 'RequestsPerMinute', unit: 'Count' });
  });

  test('unknown metrics, dimensions, intervals and api-versions get clear errors in Azure shapes', async () => {
    const id = client.armId(`onlineEndpoints/${EP}`);
    const bad = (names: string[], options: Parameters<typeof client.metrics.queryResource>[2] = {}) =>
      client.metrics
        .queryResource(id, names, { timespan: { duration: 'PT5M' }, ...options })
        .catch((e: RestError) => e);
    expect(await bad(['RequestsPerHour'])).toMatchObject({
      statusCode: 400,
      code: 'BadRequest',
      message: expect.stringMatching(/configuration.*metric: RequestsPerHour, Valid metrics: RequestsPerMinute,/),
    });
    expect(await bad(['RequestLatency_P95'], { filter: "statusCodeClass eq '*'" })).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/RequestLatency_P95 does not support .*dimension combination: statusCodeClass/),
    });
    expect(await bad(['RequestLatency_P95'], { granularity: 'PT7M' })).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/Invalid interval 'PT7M'/),
    });
    const query = 'api-version=2099-01-01&metricnames=RequestsPerMinute';
    const version = await call(t.ws, 'GET', `${id}/providers/Microsoft.Insights/metrics?${query}`);
    expect(version.status).toBe(400);
    expect(version.json()).toMatchObject({
      error: { code: 'NoRegisteredProviderFound', message: expect.stringMatching(/2099-01-01.*2024-02-01/) },
    });
    const nope = client.armId('onlineEndpoints/nope');
    const missing = await client.metrics.queryResource(nope, ['RequestsPerMinute']).catch((e: RestError) => e);
    expect(missing).toMatchObject({ statusCode: 404 });
  });
});

describe('mirror traffic (api-version 2024-10-01 through the client pipeline)', () => {
  test('invalid mirror splits are 400s naming the rule', async () => {
    const traffic = { blue: 100, green: 0 };
    const put = (mirrorTraffic: Record<string, number>) =>
      setTraffic(client, EP, { traffic, mirrorTraffic }).catch((e: Error) => e);
    expect(await put({ green: 60 })).toMatchObject({ message: expect.stringMatching(/at most 50%; it is 60%/) });
    expect(await put({ blue: 10 })).toMatchObject({ message: expect.stringMatching(/live or mirror traffic, not/) });
    expect(await put({ purple: 10 })).toMatchObject({ message: expect.stringMatching(/'purple', which does not/) });
    expect(await getTraffic(client, EP)).toEqual({ traffic: { blue: 100, green: 0 }, mirrorTraffic: {} });
  });

  test('mirrorTraffic round-trips; mirrored copies reach the mirror and never change the client answers', async () => {
    const before = await Promise.all([0, 1, 2, 3].map((i) => score(i).then((r) => r.text)));
    const blue0 = (await metricsOf('blue')).requests;
    const green0 = (await metricsOf('green')).requests;

    const shadow = { traffic: { blue: 100, green: 0 }, mirrorTraffic: { green: 50 } };
    expect(await setTraffic(client, EP, { mirrorTraffic: { green: 50 } })).toEqual(shadow);
    expect(await getTraffic(client, EP)).toEqual(shadow);

    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await score(i % 4));
    for (const [i, a] of answers.entries()) {
      expect(a.status).toBe(200);
      expect(a.headers['azureml-model-deployment']).toBe('blue');
      expect(a.text).toBe(before[i % 4]);
    }
    // A request that names its deployment is not mirrored.
    for (let i = 0; i < 5; i++) await score(i, { 'azureml-model-deployment': 'blue' });

    const mirrored = (await settled('green')) - green0;
    // 40 requests at 50%: fewer than 6 or more than 34 copies happens about once in 10^6 runs.
    expect(mirrored).toBeGreaterThanOrEqual(6);
    expect(mirrored).toBeLessThanOrEqual(34);
    expect((await metricsOf('blue')).requests - blue0).toBe(45);

    // Promoting the shadow: live traffic to green takes it out of the mirror in the same call.
    const canary = { blue: 90, green: 10 };
    expect(await setTraffic(client, EP, { traffic: canary })).toEqual({ traffic: canary, mirrorTraffic: {} });
    const back = { blue: 100, green: 0 };
    expect(await setTraffic(client, EP, { traffic: back })).toEqual({ traffic: back, mirrorTraffic: {} });
  });

  test('a slow mirror never delays the client', async () => {
    await setTraffic(client, EP, { mirrorTraffic: { green: 50 } });
    await call(t.ws, 'POST', '/_admin/faults', { body: { deployment: 'green', delayMs: 1500 } });
    try {
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        expect((await score(i)).status).toBe(200);
        expect(Date.now() - started).toBeLessThan(1000);
      }
    } finally {
      await call(t.ws, 'DELETE', '/_admin/faults');
      await setTraffic(client, EP, { mirrorTraffic: {} });
    }
    // The slow copies still arrive, later.
    await settled('green', 2000);
  });
});

describe('fault injection on a deployment', () => {
  test("a failing deployment's 5xx and a slow one's latency show in their metrics; ARM calls go on", async () => {
    const since = new Date();
    await call(t.ws, 'POST', '/_admin/faults', { body: { deployment: 'green', status: 503, rate: 1 } });
    await call(t.ws, 'POST', '/_admin/faults', { body: { deployment: 'blue', endpoint: EP, delayMs: 400 } });
    try {
      for (let i = 0; i < 6; i++) {
        const res = await score(i, { 'azureml-model-deployment': 'green' });
        expect(res.status).toBe(503);
        expect(res.json()).toEqual({ message: "Injected fault: deployment 'green' answered 503." });
      }
      for (let i = 0; i < 3; i++) expect((await score(i)).status).toBe(200);
      // ARM calls are not affected by deployment rules.
      expect((await t.client.onlineEndpoints.get(t.rg, t.name, EP)).name).toBe(EP);
    } finally {
      await call(t.ws, 'DELETE', '/_admin/faults');
    }
    expect(await metricsOf('green', since)).toMatchObject({ requests: 6, status5xx: 6, status4xx: 0 });
    const blue = await metricsOf('blue', since);
    expect(blue).toMatchObject({ requests: 3, status5xx: 0 });
    expect(blue.latencyP95Ms).toBeGreaterThanOrEqual(400);
  });
});

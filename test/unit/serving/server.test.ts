// Server mechanics on a hand-written model: request shapes, auth, bad input, health, swagger, metrics, shutdown.
import { Writable } from 'node:stream';
import { startScoringServer, type ScoringServer } from '../../../src/serving';
import { PRIMARY, SECONDARY, TOY_ROWS, toyModel } from './toy-model';

const rows = TOY_ROWS.map(({ y: _y, ...r }) => r);

const messageOf = async (res: Response): Promise<string> => ((await res.json()) as { message: string }).message;

class Capture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

describe('scoring server', () => {
  let server: ScoringServer;
  const logs = new Capture();

  beforeAll(async () => {
    server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY, secondaryKey: SECONDARY },
      deploymentName: 'blue',
      endpointName: 'bank',
      modelVersion: '3',
      appInsightsEnabled: true,
      logDestination: logs,
      bodyLimitBytes: 64 * 1024,
    });
  });
  afterAll(() => server.close());

  const score = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(server.scoringUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const expectOk = async (): Promise<void> => {
    const res = await score({ data: rows });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: ['no', 'yes'] });
  };

  describe('request shapes', () => {
    it('answers the seed/v1 shape with {"result": labels}', async () => {
      const res = await score({ data: rows });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ result: ['no', 'yes'] });
      expect(res.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(res.headers.get('x-ms-run-fn-exec-ms'))).toBeGreaterThanOrEqual(0);
    });

    it('answers the AutoML v2 shape with Results, labels or probabilities per class', async () => {
      const labels = await score({ Inputs: { data: rows }, GlobalParameters: { method: 'predict' } });
      expect(await labels.json()).toEqual({ Results: ['no', 'yes'] });
      const proba = await score({ Inputs: { data: rows }, GlobalParameters: { method: 'predict_proba' } });
      expect(await proba.json()).toEqual({
        Results: [
          { no: 0.9, yes: 0.1 },
          { no: 0.2, yes: 0.8 },
        ],
      });
    });

    it('answers the MLflow split shape with a bare list', async () => {
      const columns = ['age', 'job', 'default'];
      const res = await score({
        input_data: { columns, index: [0, 1], data: rows.map((r) => columns.map((c) => r[c])) },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(['no', 'yes']);
    });

    it('echoes a caller-sent x-ms-request-id', async () => {
      const res = await score({ data: rows }, { 'x-ms-request-id': 'my-req-42' });
      expect(res.headers.get('x-ms-request-id')).toBe('my-req-42');
    });

    it('answers each of many concurrent requests with its own result (replies are written in batches)', async () => {
      const results = await Promise.all(
        Array.from({ length: 64 }, async (_, i) => {
          const res = await score({ data: [rows[i % 2]] }, { 'x-ms-request-id': `batch-${i}` });
          return { i, id: res.headers.get('x-ms-request-id'), body: await res.json() };
        }),
      );
      for (const { i, id, body } of results) {
        expect(id).toBe(`batch-${i}`);
        expect(body).toEqual({ result: [i % 2 === 0 ? 'no' : 'yes'] });
      }
    });
  });

  describe('auth', () => {
    it('401 without Authorization, with a message; then still serves', async () => {
      const res = await fetch(server.scoringUri, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: rows }),
      });
      expect(res.status).toBe(401);
      expect(await messageOf(res)).toMatch(/missing Authorization header/);
      await expectOk();
    });
    it('401 for a wrong key and for a non-Bearer scheme', async () => {
      expect((await score({ data: rows }, { authorization: 'Bearer wrong-key-0123456789abcdef' })).status).toBe(401);
      expect((await score({ data: rows }, { authorization: `Basic ${PRIMARY}` })).status).toBe(401);
      expect((await score({ data: rows }, { authorization: `Bearer ${PRIMARY}x` })).status).toBe(401);
    });
    it('accepts the secondary key', async () => {
      expect((await score({ data: rows }, { authorization: `Bearer ${SECONDARY}` })).status).toBe(200);
    });
  });

  describe('bad input: code, message naming row and column, next request still succeeds', () => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['missing column', { data: [rows[0], { age: 30, job: 'admin.' }] }, 400, /row 1, column 'default': missing/],
      [
        'wrong type',
        { data: [{ ...rows[0], age: 'old' }] },
        400,
        /row 0, column 'age': expected a number, got string "old"/,
      ],
      [
        'object in categorical',
        { data: [{ ...rows[0], job: { a: 1 } }] },
        400,
        /row 0, column 'job': expected a string category/,
      ],
      [
        'extra column',
        { data: [{ ...rows[0], salary: 10 }] },
        400,
        /row 0, column 'salary': unknown column; the model's input columns are: age, job, default/,
      ],
      ['row not an object', { data: [5] }, 400, /row 0: expected an object/],
      ['no rows', { data: [] }, 400, /data: send at least one row/],
      ['unknown shape', { rows: [] }, 400, /none of the keys/],
      ['body is an array', [rows[0]], 400, /must be a JSON object/],
      [
        'bad method',
        { Inputs: { data: rows }, GlobalParameters: { method: 'explain' } },
        400,
        /GlobalParameters.method/,
      ],
      [
        'mlflow row length',
        { input_data: { columns: ['age', 'job', 'default'], data: [[1, 'x']] } },
        400,
        /row 0: input_data.data\[0\] has 2 values but input_data.columns has 3/,
      ],
      [
        'invalid JSON, saying where',
        '{"data": [{"job": "admin."}}',
        400,
        /^the body is not valid JSON \(Expected ',' or '\]' after array element in JSON at position 27\); send rows as JSON/,
      ],
      // V8 quotes part of the body here; the reply (logged with the request) must not.
      [
        'invalid JSON, without quoting the body',
        '{"data": [{"job": "quoted-nowhere"}, }',
        400,
        /^the body is not valid JSON \(Unexpected token '}'\); send rows as JSON/,
      ],
      [
        'prototype key',
        '{"data": [{"__proto__": {"age": 1}}]}',
        400,
        /"__proto__" or "constructor.prototype" key, which is refused/,
      ],
    ];
    it.each(cases)('%s', async (_name, body, status, message) => {
      const res = await score(body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await messageOf(res)).toMatch(message);
      await expectOk();
    });

    it('unknown category is accepted and scored as unseen', async () => {
      const res = await score({ data: [{ ...rows[0], job: 'astronaut' }] });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ result: ['no'] });
    });
    it('null is a missing value; numeric text and the target column are accepted', async () => {
      const res = await score({ data: [{ age: '24', job: null, default: null, y: 'no' }] });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ result: ['yes'] });
    });
    it('413 for an oversized body', async () => {
      const big = { data: Array.from({ length: 2000 }, () => rows[0]) };
      const res = await score(big);
      expect(res.status).toBe(413);
      expect(await messageOf(res)).toMatch(/larger than 65536 bytes/);
      await expectOk();
    });
    it('415 for a wrong content type', async () => {
      const res = await score(JSON.stringify({ data: rows }), { 'content-type': 'text/plain' });
      expect(res.status).toBe(415);
      expect(await messageOf(res)).toMatch(/application\/json/);
      await expectOk();
    });
    it('404 for unknown routes, as JSON', async () => {
      const res = await fetch(`${server.url}/predict`);
      expect(res.status).toBe(404);
      expect(await messageOf(res)).toMatch(/POST \/score/);
    });
  });

  describe('health and docs', () => {
    it('GET / is "Healthy"; liveness and readiness answer', async () => {
      const res = await fetch(`${server.url}/`);
      expect(await res.text()).toBe('Healthy');
      expect((await fetch(`${server.url}/liveness`)).status).toBe(200);
      expect((await fetch(`${server.url}/readiness`)).status).toBe(200);
    });
    it('serves swagger 2 by default and OpenAPI 3 on ?version=3', async () => {
      const v2 = (await (await fetch(server.swaggerUri)).json()) as { swagger: string };
      expect(v2.swagger).toBe('2.0');
      const v3 = (await (await fetch(`${server.swaggerUri}?version=3`)).json()) as { openapi: string };
      expect(v3.openapi).toBe('3.0.3');
      expect((await fetch(`${server.swaggerUri}?version=4`)).status).toBe(400);
    });
    it('serves the Swagger UI page and its assets locally', async () => {
      const page = await fetch(`${server.url}/swagger/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('swagger-ui-bundle.js');
      const bundle = await fetch(`${server.url}/swagger/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      expect((await fetch(`${server.url}/swagger/constructor`)).status).toBe(404);
      expect((await fetch(`${server.url}/swagger/package.json`)).status).toBe(404);
    });
  });

  describe('telemetry', () => {
    it('logs each scoring request with id, status, latency and sizes, and never a key', async () => {
      await score({ data: rows }, { 'x-ms-request-id': 'telemetry-ok' });
      await score({ data: [{ ...rows[0], age: 'x' }] }, { 'x-ms-request-id': 'telemetry-400' });
      await score(
        { data: rows },
        { 'x-ms-request-id': 'telemetry-401', authorization: 'Bearer not-the-key-0123456789' },
      );
      await new Promise((r) => setTimeout(r, 50));
      const records = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const find = (id: string): Record<string, unknown> | undefined =>
        records.find((r) => r.requestId === id && r.event === 'request');
      const ok = find('telemetry-ok');
      expect(ok).toMatchObject({
        status: 200,
        route: '/score',
        rows: 2,
        shape: 'v1',
        deployment: 'blue',
        endpoint: 'bank',
        modelVersion: '3',
      });
      expect(ok?.latencyMs).toEqual(expect.any(Number));
      expect(ok?.latencyMs as number).toBeGreaterThan(0);
      expect(ok?.inputBytes as number).toBeGreaterThan(10);
      expect(ok?.outputBytes).toBe(JSON.stringify({ result: ['no', 'yes'] }).length);
      expect(ok?.body).toBeUndefined(); // bodies only when sampling is on
      expect(find('telemetry-400')).toMatchObject({ status: 400, error: expect.stringMatching(/column 'age'/) });
      expect(find('telemetry-401')).toMatchObject({ status: 401 });
      const all = logs.lines.join('\n');
      expect(all).not.toContain(PRIMARY);
      expect(all).not.toContain(SECONDARY);
      expect(all).not.toContain('not-the-key-0123456789');
    });
    it('exposes Prometheus metrics: requests by status and a latency histogram', async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toMatch(/scoring_requests_total\{[^}]*route="\/score"[^}]*status="200"[^}]*\} \d+/);
      expect(text).toMatch(/scoring_requests_total\{[^}]*status="401"[^}]*\} \d+/);
      expect(text).toMatch(/scoring_request_duration_seconds_bucket\{[^}]*le="0.005"[^}]*route="\/score"/);
      expect(text).toContain('deployment="blue"');
    });
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request while closing, then refuses connections', async () => {
    const server = await startScoringServer({
      model: toyModel({ delayMs: 300 }),
      keys: { primaryKey: PRIMARY },
      logDestination: new Capture(),
    });
    const inflight = fetch(server.scoringUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}` },
      body: JSON.stringify({ data: rows }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: ['no', 'yes'] });
    await closed;
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });
});

describe('request body sampling', () => {
  it('logs the body with the record only when sampling is on', async () => {
    const logs = new Capture();
    const server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY },
      appInsightsEnabled: true,
      logBodySampleRate: 1,
      logDestination: logs,
    });
    try {
      const res = await fetch(server.scoringUri, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${PRIMARY}`,
          'x-ms-request-id': 'sampled-1',
        },
        body: JSON.stringify({ data: rows }),
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
    const record = logs.lines
      .map((l) => JSON.parse(l) as { requestId?: string; body?: unknown })
      .find((r) => r.requestId === 'sampled-1');
    expect(record?.body).toEqual({ data: rows });
    expect(logs.lines.join('\n')).not.toContain(PRIMARY);
  });
});

describe('telemetry switch', () => {
  it('writes no request records when appInsightsEnabled is false, but still counts metrics', async () => {
    const logs = new Capture();
    const server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY },
      appInsightsEnabled: false,
      logDestination: logs,
    });
    try {
      const res = await fetch(server.scoringUri, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}` },
        body: JSON.stringify({ data: rows }),
      });
      expect(res.status).toBe(200);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(
        /scoring_requests_total\{[^}]*route="\/score"[^}]*status="200"[^}]*\} 1/,
      );
    } finally {
      await server.close();
    }
    const events = logs.lines.map((l) => (JSON.parse(l) as { event?: string }).event);
    expect(events).toContain('listening');
    expect(events).not.toContain('request');
  });
});

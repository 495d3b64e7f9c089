// The smoke test passes on a correct endpoint (real bank model) and fails, with reasons, on wrong labels, no auth,
// or crashes on bad input.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildSwagger, startScoringServer, type ScoringServer } from '../../../src/serving';
import { runSmokeTest, type SmokeTestResult } from '../../../src/smoketest';
import { trainBankModel, type BankFixture } from '../serving/bank-model';
import { PRIMARY, toyModel } from '../serving/toy-model';

const quiet = (): Writable => new Writable({ write: (_c, _e, d) => d() });
const byName = (r: SmokeTestResult, name: string) => r.checks.find((c) => c.name === name);

describe('smoke test', () => {
  let fx: BankFixture;
  let server: ScoringServer;
  beforeAll(async () => {
    fx = trainBankModel();
    server = await startScoringServer({ model: fx.model, keys: { primaryKey: PRIMARY }, logDestination: quiet() });
  });
  afterAll(() => server.close());

  it('passes every check on a correct endpoint and writes data.json and a report without the key', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'amlops-smoke-'));
    const result = await runSmokeTest({ scoringUri: server.scoringUri, key: PRIMARY, outDir });
    expect(result.checks.filter((c) => !c.passed)).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'health',
      'swagger',
      'score',
      'wrong key is refused',
      'malformed request is rejected',
      'still serving after bad requests',
    ]);
    expect(byName(result, 'score')?.reason).toMatch(/all in \["no","yes"\]/);
    const data = JSON.parse(readFileSync(join(outDir, 'data.json'), 'utf8')) as { Inputs: { data: unknown[] } };
    expect(data.Inputs.data.length).toBeGreaterThan(0);
    const text = readFileSync(join(outDir, 'smoke-test.txt'), 'utf8');
    expect(text).toMatch(/PASSED/);
    expect(text).toMatch(/PASS\s+health/);
    const json = readFileSync(join(outDir, 'smoke-test.json'), 'utf8');
    expect(JSON.parse(json)).toMatchObject({ passed: true });
    expect(json + text).not.toContain(PRIMARY);
  });

  it('checks exact labels when the caller knows them', async () => {
    const rows = fx.heldOut.slice(0, 5).map(({ y: _y, ...r }) => r);
    const expected = fx.model.predict(rows);
    const ok = await runSmokeTest({ scoringUri: server.scoringUri, key: PRIMARY, rows, expectedLabels: expected });
    expect(byName(ok, 'score')?.passed).toBe(true);
    const flipped = expected.map((l) => (l === 'yes' ? 'no' : 'yes'));
    const bad = await runSmokeTest({ scoringUri: server.scoringUri, key: PRIMARY, rows, expectedLabels: flipped });
    expect(bad.passed).toBe(false);
    expect(byName(bad, 'score')?.reason).toMatch(/row 0: got label/);
  });

  it('fails on a server that returns labels outside the model classes', async () => {
    const wrong = await startScoringServer({
      model: toyModel({ label: 'banana' }),
      keys: { primaryKey: PRIMARY },
      logDestination: quiet(),
    });
    try {
      const result = await runSmokeTest({ scoringUri: wrong.scoringUri, key: PRIMARY });
      expect(result.passed).toBe(false);
      expect(byName(result, 'score')).toMatchObject({
        passed: false,
        reason: expect.stringMatching(/labels \["banana"\] are not among the model's classes \["no","yes"\]/),
      });
      expect(byName(result, 'health')?.passed).toBe(true);
    } finally {
      await wrong.close();
    }
  });

  it('fails a server that accepts any key and answers bad input with 500', async () => {
    const doc = buildSwagger(fx.model, { title: 'lenient' }, 2);
    const lenient: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/') return res.end('Healthy');
        if (req.url === '/swagger.json') return res.end(JSON.stringify(doc));
        try {
          JSON.parse(body);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ Results: ['no', 'no'] }));
        } catch {
          res.statusCode = 500;
          res.end('Internal Server Error');
        }
      });
    });
    await new Promise<void>((r) => lenient.listen(0, '127.0.0.1', r));
    const port = (lenient.address() as { port: number }).port;
    try {
      const result = await runSmokeTest({ scoringUri: `http://127.0.0.1:${port}/score`, key: PRIMARY });
      expect(result.passed).toBe(false);
      expect(byName(result, 'score')?.passed).toBe(true);
      expect(byName(result, 'wrong key is refused')?.reason).toMatch(/expected 401/);
      expect(byName(result, 'malformed request is rejected')?.reason).toMatch(
        /invalid JSON got HTTP 500.*expected 400/,
      );
    } finally {
      await new Promise((r) => lenient.close(r));
    }
  });

  it('reports an unreachable endpoint as failed checks, not an exception', async () => {
    const result = await runSmokeTest({ scoringUri: 'http://127.0.0.1:1/score', key: PRIMARY, timeoutMs: 2000 });
    expect(result.passed).toBe(false);
    expect(byName(result, 'health')?.reason).toMatch(/failed/);
  });
});

// The process entry serving a real bank-marketing model:
// env contract, all shapes, keys via file + SIGHUP, SIGTERM, logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readDeploymentLogs } from '../../../src/serving';
import { asJsonRow, trainBankModel, type BankFixture } from './bank-model';

const MAIN = join(__dirname, '..', '..', '..', 'src', 'serving', 'main.js');
const KEY1 = 'bank-primary-key-0123456789';
const KEY2 = 'bank-secondary-key-0123456789';

describe('scoring process with a trained bank-marketing model', () => {
  let fx: BankFixture;
  let child: ChildProcess;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'amlops-serving-proc-'));
  const keyFile = join(dir, 'keys.json');
  const logDir = join(dir, 'logs');
  let exit: Promise<number | null>;

  beforeAll(async () => {
    fx = trainBankModel();
    writeFileSync(keyFile, JSON.stringify({ primaryKey: KEY1, secondaryKey: KEY2 }));
    child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        AMLOPS_MODEL_PATH: fx.modelPath,
        AMLOPS_KEYS_FILE: keyFile,
        AMLOPS_PORT: '0',
        AMLOPS_ENDPOINT_NAME: 'bank-ep',
        AMLOPS_DEPLOYMENT_NAME: 'blue',
        AMLOPS_MODEL_VERSION: '2',
        AMLOPS_MODEL_NAME: '', // empty means unset, as the local workspace passes it
        AMLOPS_APP_INSIGHTS_ENABLED: 'true',
        AMLOPS_LOG_DIR: logDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        // Libraries may print other lines; the server's own line is the JSON one starting with event "listening".
        if (line.startsWith('{"event":"listening"')) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const score = (body: unknown, key = KEY1): Promise<Response> =>
    fetch(`${url}/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  it('scores held-out CSV rows in all three shapes, matching the model in-process', async () => {
    const rows = fx.heldOut.slice(0, 50).map((r) => asJsonRow(fx.model, r)); // rows still carry the target y
    const expected = fx.model.predict(fx.heldOut.slice(0, 50));
    expect(new Set(expected).size).toBeGreaterThan(0);

    const v1 = await score({ data: rows });
    expect(v1.status).toBe(200);
    expect(await v1.json()).toEqual({ result: expected });

    const automl = await score({ Inputs: { data: rows }, GlobalParameters: { method: 'predict_proba' } });
    const { Results } = (await automl.json()) as { Results: Array<Record<string, number>> };
    expect(Results).toHaveLength(50);
    for (const [i, p] of Results.entries()) {
      expect(Object.keys(p).sort()).toEqual(['no', 'yes']);
      expect((p.no ?? 0) + (p.yes ?? 0)).toBeCloseTo(1, 6);
      expect((p.yes ?? 0) > (p.no ?? 0) ? 'yes' : 'no').toBe(expected[i]);
    }

    const columns = fx.model.inputSchema.map((c) => c.name);
    const mlflow = await score({
      input_data: { columns, index: rows.map((_, i) => i), data: rows.map((r) => columns.map((c) => r[c] ?? null)) },
    });
    expect(await mlflow.json()).toEqual(expected);
  });

  it('is right on most held-out rows (a real model, not a constant)', async () => {
    const rows = fx.heldOut.map((r) => asJsonRow(fx.model, r));
    const res = await score({ data: rows });
    const { result } = (await res.json()) as { result: string[] };
    const correct = result.filter((label, i) => label === fx.heldOut[i]?.y).length;
    expect(correct / rows.length).toBeGreaterThan(0.85);
    expect(result).toContain('yes');
    expect(Number(res.headers.get('x-ms-run-fn-exec-ms'))).toBeLessThan(200); // 1,000 rows; the bench measures the real number
  });

  it('scores its own swagger example, and rejects bad input with row and column, then still serves', async () => {
    const doc = (await (await fetch(`${url}/swagger.json`)).json()) as {
      definitions: { ServiceInput: { example: unknown } };
    };
    expect((await score(doc.definitions.ServiceInput.example)).status).toBe(200);
    const row = asJsonRow(fx.model, fx.heldOut[0]!);
    const bad = await score({ data: [row, { ...row, duration: 'long' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/row 1, column 'duration': expected a number/);
    const unseen = await score({ data: [{ ...row, job: 'astronaut' }] });
    expect(unseen.status).toBe(200);
    expect((await score({ data: [row] }, 'wrong-key-0123456789abcdef')).status).toBe(401);
    expect((await score({ data: [row] }, KEY2)).status).toBe(200);
  });

  it('re-reads the key file on SIGHUP', async () => {
    writeFileSync(keyFile, JSON.stringify({ primaryKey: 'rotated-primary-0123456789', secondaryKey: KEY2 }));
    child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 200));
    const row = asJsonRow(fx.model, fx.heldOut[0]!);
    expect((await score({ data: [row] }, KEY1)).status).toBe(401);
    expect((await score({ data: [row] }, 'rotated-primary-0123456789')).status).toBe(200);
  });

  it('exits 0 on SIGTERM and leaves a readable log without keys', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const tail = readDeploymentLogs(logDir, { endpointName: 'bank-ep', deploymentName: 'blue' }, 200);
    const events = tail
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; status?: number; modelVersion?: string });
    expect(events.some((e) => e.event === 'listening')).toBe(true);
    expect(events.some((e) => e.event === 'request' && e.status === 200 && e.modelVersion === '2')).toBe(true);
    expect(events.some((e) => e.event === 'request' && e.status === 401)).toBe(true);
    expect(events[events.length - 1]?.event).toBe('stopped');
    expect(
      readDeploymentLogs(logDir, { endpointName: 'bank-ep', deploymentName: 'blue' }, 2).trim().split('\n'),
    ).toHaveLength(2);
    for (const secret of [KEY1, KEY2, 'rotated-primary-0123456789', 'wrong-key-0123456789abcdef'])
      expect(tail).not.toContain(secret);
  });
});

describe('scoring process start-up errors', () => {
  const run = (env: Record<string, string>): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code, stderr }));
    });

  it('exits 1 naming the missing model path', async () => {
    const r = await run({ AMLOPS_PRIMARY_KEY: KEY1 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AMLOPS_MODEL_PATH/);
  });
  it('exits 1 when no keys are configured, saying which variables to set', async () => {
    const r = await run({ AMLOPS_MODEL_PATH: '/nonexistent/model.json' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AMLOPS_KEYS_FILE .* or AMLOPS_PRIMARY_KEY/);
  });
  it('exits 1 naming an unreadable model file', async () => {
    const r = await run({ AMLOPS_MODEL_PATH: '/nonexistent/model.json', AMLOPS_PRIMARY_KEY: KEY1 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read model file \/nonexistent\/model.json/);
  });
});

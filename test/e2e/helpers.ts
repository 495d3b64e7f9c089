// End-to-end helpers: real processes (local workspace, workers, Temporal dev server), data subsets, bounded waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Agent, fetch } from 'undici';
import { LocalWorkspaceCredential } from '../../src/emulator/auth';
import type { FaultRule, JournalEntry } from '../../src/emulator';
import { DEFAULT_SETTINGS, type CycleSettings, type ProjectInput } from '../../src/contract';

export const ROOT = resolve(__dirname, '../../..');
export const DIST = join(ROOT, 'dist');
export const FULL_CSV = join(ROOT, 'data', 'bankmarketing_train.csv');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A small deterministic pseudo-random generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The demo CSV (no quoted fields) as header + rows of lines. */
export function readDemoCsv(): { header: string; rows: string[] } {
  const lines = readFileSync(FULL_CSV, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  return { header: lines[0], rows: lines.slice(1) };
}

/** A stratified random subset of the demo CSV written to `file` (same class balance, fixed seed). */
export function writeSubsample(file: string, rowsWanted: number, seed = 7): string {
  const { header, rows } = readDemoCsv();
  const [train] = stratifiedSplit(rows, rowsWanted / rows.length, seed);
  writeFileSync(file, `${header}\n${train.join('\n')}\n`);
  return file;
}

/** Splits rows by their last column (the label) so each part keeps the class balance: [fraction, rest]. */
export function stratifiedSplit(rows: string[], fraction: number, seed: number): [string[], string[]] {
  const random = seeded(seed);
  const byClass = new Map<string, string[]>();
  for (const row of rows) {
    const label = row.slice(row.lastIndexOf(',') + 1);
    byClass.set(label, [...(byClass.get(label) ?? []), row]);
  }
  const a: string[] = [];
  const b: string[] = [];
  for (const group of [...byClass.keys()].sort().map((k) => shuffle(byClass.get(k) as string[], random))) {
    const n = Math.round(group.length * fraction);
    a.push(...group.slice(0, n));
    b.push(...group.slice(n));
  }
  return [shuffle(a, random), shuffle(b, random)];
}

/** Settings for a fast cycle: a small AutoML budget and a light benchmark gate. */
export function fastSettings(overrides: Partial<CycleSettings> = {}): CycleSettings {
  return {
    ...DEFAULT_SETTINGS,
    automl: { ...DEFAULT_SETTINGS.automl, timeoutMinutes: 0.2, trialTimeoutMinutes: 0.2, maxTrials: 6 },
    benchmark: { ...DEFAULT_SETTINGS.benchmark, requests: 50, connections: 4, maxP95Ms: 5000 },
    ...overrides,
  };
}

export function projectInput(
  project: string,
  datasetUri: string,
  settings: CycleSettings = fastSettings(),
): ProjectInput {
  return { project, datasetUri, settings };
}

// ---------------------------------------------------------------------------------------------------------------------
// The local workspace as its own process (so killing a worker never takes it down).

export interface WorkspaceProcess {
  /** The workspace data dir (<dataDir>/workspace), where connection.json lives. */
  dir: string;
  endpoint: string;
  caCertificate: string;
  credential: LocalWorkspaceCredential;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  pid: number;
  /** An authenticated call to the workspace (admin routes and ARM). */
  request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  journal(filter?: { method?: string; pathContains?: string }): Promise<JournalEntry[]>;
  setFaults(rules: Partial<FaultRule>[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkspaceProcess(dataDir: string): Promise<WorkspaceProcess> {
  const dir = join(dataDir, 'workspace');
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [join(DIST, 'src/emulator/main.js'), '--data-dir', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AMLOPS_EMULATOR_FAULTS: '' },
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
  const ready = await new Promise<{
    endpoint: string;
    caCertificatePath: string;
    subscriptionId: string;
    resourceGroup: string;
    workspaceName: string;
  }>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the local workspace did not start within 60 s: ${err}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes('"ready":true'));
      if (line) {
        clearTimeout(timer);
        done(JSON.parse(line));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the local workspace exited with code ${code}: ${err}`));
    });
  });
  const caCertificate = readFileSync(ready.caCertificatePath, 'utf8');
  const credential = LocalWorkspaceCredential.fromDataDir(dir);
  const dispatcher = new Agent({ connect: { ca: caCertificate } });
  const request = async <T>(method: string, path: string, body?: unknown) => {
    const token = await credential.getToken('');
    const res = await fetch(`${ready.endpoint}${path}`, {
      method,
      dispatcher,
      headers: {
        authorization: `Bearer ${token?.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    dir,
    endpoint: ready.endpoint,
    caCertificate,
    credential,
    subscriptionId: ready.subscriptionId,
    resourceGroup: ready.resourceGroup,
    workspaceName: ready.workspaceName,
    pid: child.pid as number,
    request,
    async journal(filter = {}) {
      const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
      const res = await request<{ entries: JournalEntry[] }>('GET', `/_admin/journal?${q}`);
      return res.body.entries;
    },
    async setFaults(rules) {
      const res = await request('PUT', '/_admin/faults', { rules });
      if (res.status !== 200) throw new Error(`setting faults failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    },
    stop: () => stopProcess(child, 20_000).finally(() => dispatcher.close()),
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Workers as separate processes: `node dist/src/worker.js`, exactly as users run a standalone worker.

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function spawnWorker(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(DIST, 'src/worker.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    cwd: ROOT,
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out = (out + c).slice(-20_000)));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out = (out + c).slice(-20_000)));
  const worker: WorkerProcess = {
    child,
    output: () => out,
    kill: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
    stop: () => stopProcess(child, 10_000),
  };
  // The worker prints its banner once connected; it polls only after creating the Worker (bundling the workflows).
  await waitFor(
    `the worker process to start (output so far: ${out})`,
    readyTimeoutMs,
    () => {
      if (child.exitCode !== null) throw new Error(`the worker exited with code ${child.exitCode}: ${out}`);
      return out.includes('Worker on task queue') ? true : undefined;
    },
    100,
  );
  return worker;
}

export async function connectTemporal(address: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '10s' });
  return new Client({ connection });
}

/** Every event of a workflow's history as JSON text (what the Web UI and `temporal workflow show` expose). */
export async function historyJson(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // Payload bytes (inputs, results, heartbeat details, failures) are decoded to text so a secret in them is visible.
  const text = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    if (Array.isArray(value)) return value.map(text);
    if (value && typeof value === 'object') {
      if (typeof (value as { toNumber?: unknown }).toNumber === 'function') return String(value);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, text(v)]));
    }
    return value;
  };
  return JSON.stringify(text(history));
}

/** Per activity type: the attempt of its last start and whether it completed, from a cycle's history. */
export async function activityAttempts(
  client: Client,
  workflowId: string,
): Promise<Map<string, { attempt: number; completed: boolean; failure?: string }>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const result = new Map<string, { attempt: number; completed: boolean; failure?: string }>();
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    if (e.activityTaskStartedEventAttributes) {
      const type = scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId)) ?? '?';
      result.set(type, { attempt: e.activityTaskStartedEventAttributes.attempt ?? 1, completed: false });
    }
    if (e.activityTaskCompletedEventAttributes) {
      const type = scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) ?? '?';
      const r = result.get(type);
      if (r) r.completed = true;
    }
    if (e.activityTaskFailedEventAttributes) {
      const type = scheduled.get(String(e.activityTaskFailedEventAttributes.scheduledEventId)) ?? '?';
      const r = result.get(type);
      if (r) r.failure = e.activityTaskFailedEventAttributes.failure?.message ?? undefined;
    }
  }
  return result;
}

/** Runs `node bin/amlops.js ...` and returns its exit code and output. */
export function amlopsCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/amlops.js'), ...args], {
      env: { ...process.env, ...env },
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, stdout, stderr });
    });
  });
}

/**
 * True if the workspace answers batch endpoint routes (another engineer is adding them); false if the route is missing.
 */
export async function hasBatchEndpoints(ws: WorkspaceProcess): Promise<boolean> {
  const res = await ws.request<{ error?: { code?: string; message?: string } }>(
    'GET',
    `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}` +
      `/providers/Microsoft.MachineLearningServices` +
      `/workspaces/${ws.workspaceName}/batchEndpoints/probe-missing?api-version=2022-10-01`,
  );
  // An unknown route answers "No operation matches ..."; a missing resource answers in its own words.
  return res.status === 200 || (res.status === 404 && !/No operation matches/i.test(res.body?.error?.message ?? ''));
}

// Benchmark of the local workspace: start-up time, and p50/p99 latency of non-training operations through the real SDK.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { startLocalWorkspace } from '../src/emulator';

const N = Number(process.env.BENCH_N ?? 300);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function time(label: string, fn: (i: number) => Promise<unknown>, out: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < 20; i++) await fn(i); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn(i);
    xs.push(performance.now() - t0);
  }
  out.push({
    operation: label,
    n: N,
    p50ms: +pct(xs, 50).toFixed(2),
    p99ms: +pct(xs, 99).toFixed(2),
    maxms: +Math.max(...xs).toFixed(2),
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'amlops-bench-'));
  const t0 = performance.now();
  const ws = await startLocalWorkspace({ dataDir: dir, lroRetryAfterSeconds: 0, provisioningDelayMs: 0 });
  const coldStartMs = performance.now() - t0;
  await ws.close();
  const t1 = performance.now();
  const ws2 = await startLocalWorkspace({ dataDir: dir, lroRetryAfterSeconds: 0, provisioningDelayMs: 0 });
  const warmStartMs = performance.now() - t1;
  const c = new AzureMachineLearningWorkspaces(ws2.credential, ws2.subscriptionId, {
    endpoint: ws2.endpoint,
    tlsOptions: { ca: ws2.caCertificate },
  });
  const rg = ws2.resourceGroup;
  const name = ws2.workspaceName;
  const csv = 'a,b,y\n1,2,yes\n3,4,no\n';
  const container = (await import('@azure/storage-blob')).BlobServiceClient.fromConnectionString(
    ws2.blob.connectionString,
  ).getContainerClient(ws2.blob.containerName);
  await container.getBlockBlobClient('bench/data.csv').upload(csv, csv.length);
  await container.getBlockBlobClient('bench/MLTable').upload('paths:\n  - file: ./data.csv\n', 28);
  await c.computeOperations.beginCreateOrUpdateAndWait(
    rg,
    name,
    'cpu',
    { properties: { computeType: 'AmlCompute', properties: { scaleSettings: { maxNodeCount: 2 } } } },
    { updateIntervalInMs: 20 },
  );
  await c.onlineEndpoints.beginCreateOrUpdateAndWait(
    rg,
    name,
    'bench-ep',
    { location: 'local', properties: { authMode: 'Key' } },
    { updateIntervalInMs: 20 },
  );

  const rows: Record<string, unknown>[] = [];
  await time('workspaces.get', () => c.workspaces.get(rg, name), rows);
  await time('datastores.listSecrets', () => c.datastores.listSecrets(rg, name, 'workspaceblobstore'), rows);
  await time('computes.get', () => c.computeOperations.get(rg, name, 'cpu'), rows);
  await time(
    'computes.createOrUpdate (initial 201)',
    () =>
      c.computeOperations.beginCreateOrUpdate(rg, name, 'cpu', {
        properties: { computeType: 'AmlCompute', properties: { scaleSettings: { maxNodeCount: 2 } } },
      }),
    rows,
  );
  await time(
    'dataVersions.createOrUpdate (checks blob)',
    (i) =>
      c.dataVersions.createOrUpdate(rg, name, 'bench', String((i % 50) + 1), {
        properties: { dataType: 'mltable', dataUri: 'azureml://datastores/workspaceblobstore/paths/bench/' },
      }),
    rows,
  );
  await time('dataVersions.get', () => c.dataVersions.get(rg, name, 'bench', '1'), rows);
  await time(
    'jobs.list',
    async () => {
      for await (const _ of c.jobs.list(rg, name)) void _;
    },
    rows,
  );
  await time('onlineEndpoints.get', () => c.onlineEndpoints.get(rg, name, 'bench-ep'), rows);
  await time('onlineEndpoints.listKeys', () => c.onlineEndpoints.listKeys(rg, name, 'bench-ep'), rows);
  // Server-side time (request in to response out, from the journal): what the emulator itself costs,
  // without the client.
  const byOp = new Map<string, number[]>();
  for (const e of ws2.journal.list())
    if (e.operation) byOp.set(e.operation, [...(byOp.get(e.operation) ?? []), e.durationMs]);
  const server = [...byOp]
    .filter(([, xs]) => xs.length >= 100)
    .map(([operation, xs]) => ({
      operation,
      n: xs.length,
      p50ms: +pct(xs, 50).toFixed(2),
      p99ms: +pct(xs, 99).toFixed(2),
    }));
  await ws2.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ coldStartMs: +coldStartMs.toFixed(0), warmStartMs: +warmStartMs.toFixed(0) })}\n`,
  );
  process.stdout.write('client-observed (SDK round trip, client and server share this process):\n');
  console.table(rows);
  process.stdout.write('server-side (journal durationMs):\n');
  console.table(server);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

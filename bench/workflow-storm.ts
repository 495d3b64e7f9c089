// bench:storm — 1,000 signed GitHub deliveries through the webhook server into one project workflow on a local dev
// server.
// Measures what a burst of pushes costs: every delivery answered 2xx and fast, every trigger recorded, at most 2
// cycles.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { githubSignature, startWebhookServer } from '../src/webhooks';
import {
  statusQuery,
  projectWorkflowId,
  DEFAULT_SETTINGS,
  type ProjectInput,
  type ProjectStatus,
} from '../src/contract';
import { fakeActivities, gate } from '../test/helpers/fake-activities';
import { startTestServer } from '../test/helpers/temporal';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 1000);
// Default: a bounded pool of BENCH_CONCURRENCY senders firing back to back (closed loop). BENCH_RATE=N instead fires
// on a schedule of N per second (open loop) with at most BENCH_CONCURRENCY in flight.
// Two senders: on a 2-core machine the dev server saturates near 180 signals/s to one workflow whatever the number of
// senders (2, 4 and 8 all measured 175-200/s), so more senders only add queueing to every delivery's latency.
const RATE = Number(process.env.BENCH_RATE ?? 0);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const SECRET = randomUUID() + randomUUID();
const TARGETS = { windowMs: 10_000, p99Ms: 50, maxCycles: 2 };

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const round = (x: number) => Math.round(x * 10) / 10;
const progress = (line: string) => process.stderr.write(`[storm ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
};

async function until(
  read: () => Promise<ProjectStatus>,
  ok: (s: ProjectStatus) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<ProjectStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ProjectStatus | undefined;
  let lastShown = Date.now();
  while (Date.now() < deadline) {
    last = await read().catch((err: unknown) => {
      throw new Error(
        `could not query the project workflow while waiting for ${what}` +
          ` (is the dev server still up?): ${(err as Error).message}`,
      );
    });
    if (ok(last)) return last;
    if (Date.now() - lastShown > 2000) {
      lastShown = Date.now();
      progress(
        `  ${what}: ${last.triggersRecorded} recorded, ${last.pendingTriggers} pending, ` +
          `cycle ${last.cycle} ${last.state}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

/**
 * The worker, with instant activities but cycle 1 held at the AutoML wait until told 'release': a real cycle takes
 * 20-60 minutes, so a 10-second burst always lands inside one. Released, it lets the coalesced cycle 2 run.
 */
async function runWorker(
  address: string,
  taskQueue: string,
  signal: { released: Promise<void>; stopped: Promise<void>; ready: () => void },
): Promise<void> {
  let waits = 0;
  const { activities } = fakeActivities({
    hold: { waitForAutoML: () => (++waits === 1 ? signal.released : Promise.resolve()) },
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowsPath: require.resolve('../src/workflows'),
    activities,
  });
  // Ready only once bundled and polling: bundling takes seconds of CPU that must not overlap the storm.
  await worker.runUntil(async () => {
    signal.ready();
    await signal.stopped;
  });
}

/**
 * Child-process mode: the worker gets its own event loop, as in production (the worker and the webhook server are
 * separate processes).
 */
async function workerProcess(address: string, taskQueue: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const released = gate();
  const stopped = gate();
  process.on('message', (m) => (m === 'release' ? released.open() : m === 'stop' ? stopped.open() : undefined));
  await runWorker(address, taskQueue, {
    released: released.wait(),
    stopped: stopped.wait(),
    ready: () => process.send?.('ready'),
  });
  process.exit(0);
}

async function main(): Promise<void> {
  const loadBefore = uptime();
  // The CLI dev server with its in-memory store (what the workflow tests use): the bench measures the webhook path
  // and Temporal's signal handling, not the fsync rate of this machine's disk.
  progress('starting a Temporal dev server (in-memory)');
  const temporal = await startTestServer();
  const client = temporal.client;
  const taskQueue = 'bench-storm';
  const name = 'storm';
  const project: ProjectInput = { project: name, datasetUri: 'data/x.csv', settings: DEFAULT_SETTINGS };

  // The worker runs in a child process, so its work does not share the webhook server's event loop.
  const child: ChildProcess = fork(__filename, ['--worker', temporal.address, taskQueue], { stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the worker process exited with code ${code}`)));
  });
  const webhooks = await startWebhookServer({
    client,
    taskQueue,
    projects: (n) => (n === name ? project : undefined),
    secrets: { github: SECRET },
    port: 0,
    logLevel: 'warn',
  });
  progress(
    `worker and webhook server up (${webhooks.url});` +
      ` sending ${DELIVERIES} deliveries at ${RATE || 'max'}/s, at most ${CONCURRENCY} in flight`,
  );
  const url = `${webhooks.url}/hooks/github/${name}`;
  const handle = client.workflow.getHandle(projectWorkflowId(name));

  try {
    // Bodies are signed before the clock starts: the sender's cost is not the server's.
    const deliveries = Array.from({ length: DELIVERIES }, (_, i) => {
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        after: `c${i.toString(16).padStart(6, '0')}${'f'.repeat(33)}`,
        pusher: { name: 'storm' },
      });
      return { id: randomUUID(), body, signature: githubSignature(SECRET, body) };
    });
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let accepted = 0;
    const t0 = performance.now();
    const sender = async () => {
      for (let i = next++; i < deliveries.length; i = next++) {
        const d = deliveries[i] as (typeof deliveries)[number];
        const due = RATE > 0 ? t0 + (i * 1000) / RATE : 0;
        if (performance.now() < due) await new Promise((r) => setTimeout(r, due - performance.now()));
        const start = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-github-delivery': d.id,
            'x-hub-signature-256': d.signature,
          },
          body: d.body,
        });
        const reply = (await res.json()) as { accepted?: boolean };
        latencies.push(performance.now() - start);
        if (reply.accepted === true) accepted++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const windowMs = performance.now() - t0;
    const loadDuring = uptime();
    progress(
      `storm done in ${Math.round(windowMs)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))},` +
        ` ${accepted} accepted; waiting for the workflow to record every trigger`,
    );

    // Every 202 means Temporal has the signal; the workflow may still be working through them.
    const status = () => client.withDeadline(Date.now() + 10_000, () => handle.query(statusQuery));
    const recorded = await until(status, (s) => s.triggersRecorded >= accepted + 1, 'every trigger recorded');
    progress('all recorded; releasing cycle 1');
    child.send('release');
    await until(
      status,
      (s) => s.state === 'idle' && s.pendingTriggers === 0 && s.cyclesCompleted === s.cycle,
      'cycles to finish',
    );
    await new Promise((r) => setTimeout(r, 1000)); // a stray extra cycle would have started by now
    const final = await status();

    const all2xx = [...statuses].every(([status]) => status >= 200 && status < 300);
    const result = {
      bench: 'workflow-storm',
      at: new Date().toISOString(),
      deliveries: DELIVERIES,
      rate: RATE,
      concurrency: CONCURRENCY,
      windowMs: round(windowMs),
      deliveriesPerSec: round((DELIVERIES / windowMs) * 1000),
      statuses: Object.fromEntries(statuses),
      all2xx,
      accepted,
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p90: round(percentile(latencies, 90)),
        p99: round(percentile(latencies, 99)),
        max: round(Math.max(...latencies)),
      },
      cyclesStarted: final.cycle,
      triggersRecorded: final.triggersRecorded,
      triggersRecordedBeforeRelease: recorded.triggersRecorded,
      expectedTriggers: DELIVERIES + 1,
      targets: TARGETS,
      pass: {
        all2xx,
        window: windowMs <= TARGETS.windowMs,
        p99: percentile(latencies, 99) < TARGETS.p99Ms,
        cycles: final.cycle <= TARGETS.maxCycles,
        recorded: final.triggersRecorded === DELIVERIES + 1,
      },
      machine: { cpus: cpus().length, node: process.version, loadBefore, loadDuring, loadAfter: uptime() },
    };

    const rows: [string, string, string][] = [
      ['deliveries (2xx)', `${DELIVERIES} (${JSON.stringify(result.statuses)}, ${accepted} accepted)`, 'all 2xx'],
      [
        'window',
        `${result.windowMs} ms (${result.deliveriesPerSec}/s; schedule ${RATE || 'max'}/s,` +
          ` <= ${CONCURRENCY} in flight)`,
        `<= ${TARGETS.windowMs} ms`,
      ],
      [
        'latency p50 / p90 / p99 / max',
        `${result.latencyMs.p50} / ${result.latencyMs.p90} / ${result.latencyMs.p99} / ${result.latencyMs.max} ms`,
        `p99 < ${TARGETS.p99Ms} ms`,
      ],
      ['cycles started', String(result.cyclesStarted), `<= ${TARGETS.maxCycles}`],
      ['triggers recorded', String(result.triggersRecorded), `${DELIVERIES + 1} (deliveries + start)`],
    ];
    const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
    process.stdout.write(`\nwebhook storm: ${DELIVERIES} signed GitHub pushes -> one project workflow\n`);
    for (const [k, v, t] of rows)
      process.stdout.write(`  ${k.padEnd(w[0] as number)}  ${v.padEnd(w[1] as number)}  target ${t}\n`);
    process.stdout.write(`  load before: ${loadBefore}\n  load during: ${loadDuring}\n`);
    const verdict = Object.entries(result.pass)
      .filter(([, ok]) => !ok)
      .map(([k]) => k);
    process.stdout.write(verdict.length ? `  MISSED: ${verdict.join(', ')}\n` : '  all targets met\n');

    mkdirSync('bench-results', { recursive: true });
    const file = join('bench-results', 'workflow-storm.json');
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`  written to ${file}\n`);
    if (verdict.length) process.exitCode = 1;
  } finally {
    await webhooks.close();
    await handle.terminate('bench done').catch(() => undefined);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    await exited;
    await temporal.teardown();
  }
}

const mode =
  process.argv[2] === '--worker' ? workerProcess(process.argv[3] as string, process.argv[4] as string) : main();
mode.catch((err: unknown) => {
  process.stderr.write(`bench:storm failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

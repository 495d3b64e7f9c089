// bench:workflow — orchestration overhead of one retraining cycle with instant activities on a local dev server.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../src/devserver/dev-server';
import { operationalize, retrainingCycle } from '../src/workflows';
import { historyQuery, retrainUpdate, projectWorkflowId, DEFAULT_SETTINGS } from '../src/contract';
import { fakeActivities } from '../test/helpers/fake-activities';

const RUNS = 20;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'amlops-bench-'));
  const port = 17000 + Math.floor(Math.random() * 1000);
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), port, uiPort: port + 1000 });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = 'bench-workflow';
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: server.address }),
    taskQueue,
    workflowsPath: require.resolve('../src/workflows'),
    activities: fakeActivities().activities,
  });
  const run = worker.run();
  try {
    // 1. The cycle alone: start to result of the child workflow, every step an instant activity.
    const cycleMs: number[] = [];
    const cycleEvents: number[] = [];
    for (let i = 1; i <= RUNS + 2; i++) {
      const t0 = performance.now();
      const handle = await client.workflow.start(retrainingCycle, {
        taskQueue,
        workflowId: `bench-cycle-${i}`,
        args: [
          { project: 'bench', cycle: i, datasetUri: 'data/x.csv', settings: DEFAULT_SETTINGS, triggers: [`r${i}`] },
        ],
      });
      await handle.result();
      const ms = performance.now() - t0;
      if (i > 2) {
        // The first two warm up the worker's workflow cache and the server.
        cycleMs.push(ms);
        cycleEvents.push((await handle.fetchHistory()).events?.length ?? 0);
      }
    }

    // 2. Through the project workflow: retrain update to the cycle's record in history.
    const project = 'benchproject';
    const handle = await client.workflow.start(operationalize, {
      taskQueue,
      workflowId: projectWorkflowId(project),
      args: [{ project, datasetUri: 'data/x.csv', settings: DEFAULT_SETTINGS }],
    });
    const waitCycles = async (n: number) => {
      while ((await handle.query(historyQuery)).length < n) await new Promise((r) => setTimeout(r, 5));
    };
    await waitCycles(1);
    const loopMs: number[] = [];
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    for (let i = 2; i <= RUNS + 1; i++) {
      const t0 = performance.now();
      await handle.executeUpdate(retrainUpdate, {
        args: [{ requestId: `bench-${i}`, reason: 'bench', source: 'cli' }],
      });
      await waitCycles(i);
      loopMs.push(performance.now() - t0);
    }
    const after = (await handle.fetchHistory()).events?.length ?? 0;
    await handle.terminate('bench done');

    const result = {
      runs: RUNS,
      load: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
      cycle: {
        medianMs: percentile(cycleMs, 50),
        p90Ms: percentile(cycleMs, 90),
        maxMs: Math.max(...cycleMs),
        historyEvents: percentile(cycleEvents, 50),
      },
      projectLoop: {
        medianMs: percentile(loopMs, 50),
        p90Ms: percentile(loopMs, 90),
        parentEventsPerCycle: (after - before) / RUNS,
      },
      target: { medianMs: 1500 },
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/workflow.json', JSON.stringify(result, null, 2));
    console.log(`Orchestration overhead, ${RUNS} cycles with instant activities (load ${result.load}):`);
    console.log(
      `  cycle workflow alone:   median ${result.cycle.medianMs.toFixed(0)} ms,` +
        ` p90 ${result.cycle.p90Ms.toFixed(0)} ms,` +
        ` max ${result.cycle.maxMs.toFixed(0)} ms; ${result.cycle.historyEvents} history events per cycle`,
    );
    console.log(
      `  retrain -> cycle done:  median ${result.projectLoop.medianMs.toFixed(0)} ms,` +
        ` p90 ${result.projectLoop.p90Ms.toFixed(0)} ms;` +
        ` project workflow adds ${result.projectLoop.parentEventsPerCycle.toFixed(0)} events per cycle`,
    );
    console.log(
      `  target: median under ${result.target.medianMs} ms` +
        ` -> ${result.projectLoop.medianMs < 1500 ? 'met' : 'NOT met'}`,
    );
  } finally {
    worker.shutdown();
    await run;
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

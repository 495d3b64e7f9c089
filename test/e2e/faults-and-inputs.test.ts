// SLOW. Failure handling on the real system: bad inputs end at uploadDataset with a clear message and nothing created;
// a setting the workspace rejects (400) fails its step at once, visible in `amlops status`; a retrain with the setting
// fixed deploys while the workspace throttles (429 + Retry-After), fails (503) and dawdles; an unreachable workspace
// makes the step retry with a readable reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { AzureMLClient, localTarget } from '../../src/azureml';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server';
import {
  historyQuery,
  retrainUpdate,
  cycleWorkflowId,
  projectWorkflowId,
  PROJECT,
  type CycleRecord,
  type CycleSettings,
} from '../../src/contract';
import {
  activityAttempts,
  amlopsCli,
  connectTemporal,
  fastSettings,
  freePort,
  hasBatchEndpoints,
  projectInput,
  readDemoCsv,
  spawnWorker,
  startWorkspaceProcess,
  waitFor,
  writeSubsample,
  type WorkerProcess,
  type WorkspaceProcess,
} from './helpers';

const taskQueue = 'e2e-faults';
let dir: string;
let server: DevServer;
let ws: WorkspaceProcess;
let client: Client;
let worker: WorkerProcess | undefined;
let batch = false;
let goodCsv: string;
let address: string;

beforeAll(async () => {
  // The in-process worker of the unreachable-workspace test logs each expected retry at WARN; keep the output readable.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  dir = mkdtempSync(join(tmpdir(), 'amlops-e2e-faults-'));
  const port = await freePort();
  address = `127.0.0.1:${port}`;
  [server, ws] = await Promise.all([
    startDevServer({ dbFile: join(dir, 'temporal.db'), port, uiPort: await freePort() }),
    startWorkspaceProcess(dir),
  ]);
  client = await connectTemporal(address);
  batch = await hasBatchEndpoints(ws);
  goodCsv = writeSubsample(join(dir, 'bank-4000.csv'), 4000);
  worker = await spawnWorker({ AMLOPS_DATA_DIR: dir, TEMPORAL_ADDRESS: address, AMLOPS_TASK_QUEUE: taskQueue });
}, 120_000);

afterAll(async () => {
  await worker?.kill();
  await client?.connection.close().catch(() => undefined);
  await Promise.all([server?.stop(), ws?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function startProject(
  project: string,
  datasetUri: string,
  settings: CycleSettings = fastSettings(),
  queue = taskQueue,
) {
  await client.workflow.start('operationalize', {
    workflowId: projectWorkflowId(project),
    taskQueue: queue,
    args: [projectInput(project, datasetUri, settings)],
    typedSearchAttributes: [{ key: PROJECT, value: project }],
  });
  return client.workflow.getHandle(projectWorkflowId(project));
}

async function cycleRecord(project: string, cycle: number, timeoutMs: number): Promise<CycleRecord> {
  const handle = client.workflow.getHandle(projectWorkflowId(project));
  return waitFor(
    `${project} cycle ${cycle} to end`,
    timeoutMs,
    async () => (await handle.query(historyQuery)).find((r) => r.cycle === cycle),
    500,
  );
}

test('bad inputs fail uploadDataset once, with a clear message, and create nothing', async () => {
  const { header, rows } = readDemoCsv();
  const noTarget = join(dir, 'no-target.csv');
  writeFileSync(
    noTarget,
    [header.split(',').slice(0, -1).join(','), ...rows.slice(0, 500).map((r) => r.slice(0, r.lastIndexOf(',')))].join(
      '\n',
    ),
  );
  const oneClass = join(dir, 'one-class.csv');
  writeFileSync(oneClass, [header, ...rows.filter((r) => r.endsWith(',no')).slice(0, 500)].join('\n'));
  const cases = [
    { project: 'no-target', uri: noTarget, message: /\by\b/ },
    { project: 'one-class', uri: oneClass, message: /class/i },
    { project: 'missing-file', uri: join(dir, 'does-not-exist.csv'), message: /does not exist/ },
  ];
  await Promise.all(cases.map((c) => startProject(c.project, c.uri)));
  for (const c of cases) {
    const record = await cycleRecord(c.project, 1, 60_000);
    expect({ project: c.project, outcome: record.outcome, steps: record.steps.map((s) => s.step) }).toEqual({
      project: c.project,
      outcome: 'failed',
      steps: ['uploadDataset'],
    });
    expect(record.reason).toMatch(/^uploadDataset failed: /);
    expect(record.reason).toMatch(c.message);
    const attempts = await activityAttempts(client, cycleWorkflowId(c.project, 1));
    expect(attempts.get('uploadDataset')).toEqual({
      attempt: 1,
      completed: false,
      failure: expect.stringMatching(c.message),
    });
    // Nothing half-made: no data version, no job for this project.
    const made = (await ws.journal({ method: 'PUT', pathContains: c.project })).map((e) => e.path);
    expect({ project: c.project, made }).toEqual({ project: c.project, made: [] });
  }
}, 120_000);

test(
  'a 400 fails its step at once and shows in `amlops status`;' +
    ' a retrain with the fix deploys through 429s, 503s and slow answers',
  async () => {
    const project = 'faulty';
    // The workspace allows at most 16 instances per deployment (sku.capacity); amlops' own schema allows 20.
    const handle = await startProject(project, goodCsv, fastSettings({ instanceCount: 17 }));
    const failed = await cycleRecord(project, 1, 180_000);
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toMatch(/^deployModel failed: Could not create deployment .*HTTP 400.*capacity/i);
    const attempts = await activityAttempts(client, cycleWorkflowId(project, 1));
    expect(attempts.get('deployModel')).toMatchObject({ attempt: 1, completed: false });

    const status = await amlopsCli(['status'], {
      TEMPORAL_ADDRESS: address,
      AMLOPS_PROJECT: project,
      AMLOPS_TASK_QUEUE: taskQueue,
    });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/HTTP 400.*capacity/i);

    // ~25% of ARM/MLflow calls throttled or failing, 10% slow; scoring traffic (smoke test, benchmark) is left alone.
    const arm = '/providers/Microsoft.MachineLearningServices/';
    await ws.setFaults([
      { pathContains: arm, status: 429, rate: 0.15, retryAfterSeconds: 1 },
      { pathContains: arm, status: 503, rate: 0.1, retryAfterSeconds: 1 },
      { pathContains: arm, delayMs: 1500, delayRate: 0.1 },
    ]);
    const since = (await ws.journal()).reduce((m, e) => Math.max(m, e.seq), 0);
    const ack = await handle.executeUpdate(retrainUpdate, {
      args: [
        {
          requestId: 'fix-instance-count',
          reason: 'instanceCount fixed',
          source: 'cli',
          overrides: { instanceCount: 1 },
        },
      ],
    });
    expect(ack).toEqual({ status: 'started', cycle: 2 });
    const fixed = await cycleRecord(project, 2, 240_000);
    await ws.setFaults([]);
    const done = fixed.steps.filter((s) => !s.error).map((s) => s.step);
    expect(done).toEqual(
      expect.arrayContaining([
        'uploadDataset',
        'ensureCompute',
        'submitAutoML',
        'waitForAutoML',
        'registerModel',
        'deployModel',
        'enableInsights',
        'smokeTest',
        'switchTraffic',
      ]),
    );
    if (batch) expect(fixed.outcome).toBe('deployed');
    else expect(fixed.reason).toMatch(/publishPipeline failed/);
    // The faults really happened during the cycle.
    const injected = (await ws.journal()).filter((e) => e.seq > since && e.injected);
    expect(injected.filter((e) => e.status === 429).length).toBeGreaterThan(0);
    expect(injected.filter((e) => e.status === 503).length).toBeGreaterThan(0);
  },
  420_000,
);

test('an unreachable workspace makes the step retry, with a readable reason in `amlops status`', async () => {
  const project = 'unreachable';
  const queue = 'e2e-unreachable';
  const closed = await freePort(); // nothing listens there
  const target = localTarget(
    {
      endpoint: `https://127.0.0.1:${closed}`,
      caCertificatePath: '',
      caCertificate: ws.caCertificate,
      subscriptionId: ws.subscriptionId,
      resourceGroup: ws.resourceGroup,
      workspaceName: ws.workspaceName,
    },
    ws.credential,
  );
  const connection = await NativeConnection.connect({ address });
  const local = await Worker.create({
    connection,
    taskQueue: queue,
    workflowsPath: require.resolve('../../src/workflows'),
    activities: createActivities({ client: new AzureMLClient(target), reportsDir: join(dir, 'reports') }),
  });
  const run = local.run();
  try {
    await startProject(project, goodCsv, fastSettings(), queue);
    const shown = await waitFor(
      '`amlops status` to show why uploadDataset is retrying',
      90_000,
      async () => {
        const status = await amlopsCli(['status'], { TEMPORAL_ADDRESS: address, AMLOPS_PROJECT: project });
        return /last failure/.test(status.stdout) ? status.stdout : undefined;
      },
      1000,
    );
    expect(shown).toMatch(/uploadDataset/);
    expect(shown).toMatch(/attempt [2-9]/);
    expect(shown).toMatch(/last failure: Could not read data unreachable-data:[0-9a-f]+: .*(ECONNREFUSED|connect)/);
  } finally {
    await client.workflow
      .getHandle(projectWorkflowId(project))
      .terminate('test over')
      .catch(() => undefined);
    await client.workflow
      .getHandle(cycleWorkflowId(project, 1))
      .terminate('test over')
      .catch(() => undefined);
    local.shutdown();
    await run;
    await connection.close();
  }
}, 150_000);

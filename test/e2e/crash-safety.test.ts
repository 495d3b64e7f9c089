// SLOW. Crash safety on the real system: the worker runs as its own process and is SIGKILLed during each step where a
// duplicated effect is possible; the Temporal dev server is restarted (same sqlite file) during the AutoML wait. The
// cycle still deploys, every resource is created once (the workspace's request journal), and no secret is in history.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { Client } from '@temporalio/client';
import { deployModel } from '../../src/activities/deploy-model';
import { AzureMLClient, localTargetFromDir } from '../../src/azureml';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server';
import {
  historyQuery,
  cycleWorkflowId,
  endpointName,
  projectWorkflowId,
  PROJECT,
  STEPS,
  type CycleRecord,
  type Step,
} from '../../src/contract';
import { liveStatus } from '../../src/starters/live-status';
import {
  activityAttempts,
  connectTemporal,
  fastSettings,
  freePort,
  hasBatchEndpoints,
  historyJson,
  projectInput,
  sleep,
  spawnWorker,
  startWorkspaceProcess,
  waitFor,
  writeSubsample,
  type WorkerProcess,
  type WorkspaceProcess,
} from './helpers';

const project = 'crash';
const taskQueue = 'e2e-crash';
const webhookToken = randomBytes(24).toString('base64url');

let dir: string;
let server: DevServer;
let serverPort: number;
let uiPort: number;
let ws: WorkspaceProcess;
let client: Client;
let worker: WorkerProcess | undefined;
let batch = false;
const workers: WorkerProcess[] = [];
let record: CycleRecord | undefined;

const startServer = () => startDevServer({ dbFile: join(dir, 'temporal.db'), port: serverPort, uiPort });
const workerEnv = () => ({
  AMLOPS_DATA_DIR: dir,
  TEMPORAL_ADDRESS: `127.0.0.1:${serverPort}`,
  AMLOPS_TASK_QUEUE: taskQueue,
  AMLOPS_WEBHOOK_TOKEN: webhookToken,
});
async function newWorker(): Promise<WorkerProcess> {
  const w = await spawnWorker(workerEnv());
  workers.push(w);
  return w;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'amlops-e2e-crash-'));
  [serverPort, uiPort] = [await freePort(), await freePort()];
  [server, ws] = await Promise.all([startServer(), startWorkspaceProcess(dir)]);
  client = await connectTemporal(`127.0.0.1:${serverPort}`);
  batch = await hasBatchEndpoints(ws);
  worker = await newWorker();
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await client?.connection.close().catch(() => undefined);
  await Promise.all([server?.stop(), ws?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

// Every step, and when to kill in it: timed to land while the step's call is on the wire (the workspace holds
// creating PUTs, and the endpoint's first GET for the smoke test, for 3 s).
const KILLS: { step: Step; afterMs: number }[] = [
  { step: 'uploadDataset', afterMs: 1500 },
  { step: 'ensureCompute', afterMs: 1000 },
  { step: 'submitAutoML', afterMs: 1000 },
  { step: 'waitForAutoML', afterMs: 0 }, // after the server restart, see below
  { step: 'registerModel', afterMs: 1000 },
  { step: 'deployModel', afterMs: 2500 },
  { step: 'enableInsights', afterMs: 1000 },
  { step: 'smokeTest', afterMs: 1000 },
  { step: 'switchTraffic', afterMs: 1000 },
  { step: 'publishPipeline', afterMs: 1000 },
];

const stepIndex = (s: Step | undefined) => (s ? STEPS.indexOf(s as (typeof STEPS)[number]) : -1);

test('a cycle survives a SIGKILLed worker in every step and a server restart during the AutoML wait', async () => {
  // Hold the creating PUTs for 3 s so a kill lands between "request sent" and "answer recorded".
  await ws.setFaults([
    ...['/computes/', '/data/', '/jobs/', '/models/', '/onlineEndpoints/', '/batchEndpoints/'].map((pathContains) => ({
      method: 'PUT',
      pathContains,
      delayMs: 3000,
    })),
    { method: 'GET', pathContains: '/inference/', delayMs: 3000 },
  ]);
  const datasetUri = writeSubsample(join(dir, 'bank-4000.csv'), 4000);
  // 0.5 min of AutoML: room for a server restart, a throttled heartbeat (every 0.8 x 15 s) and a worker kill inside the
  // wait.
  // (The trial limit is lifted so the time budget, not 6 quick trials, decides when the job ends.)
  const settings = fastSettings({
    automl: { ...fastSettings().automl, timeoutMinutes: 0.5, trialTimeoutMinutes: 0.5, maxTrials: 1000 },
  });
  const started = Date.now();
  await client.workflow.start('operationalize', {
    workflowId: projectWorkflowId(project),
    taskQueue,
    args: [projectInput(project, datasetUri, settings)],
    typedSearchAttributes: [{ key: PROJECT, value: project }],
  });
  const handle = client.workflow.getHandle(projectWorkflowId(project));
  const cycleId = cycleWorkflowId(project, 1);
  const log: string[] = [];

  for (const { step, afterMs } of KILLS) {
    const seen = await waitFor(
      `cycle 1 to reach ${step} (log: ${log.join('; ')})`,
      180_000,
      async () => {
        const s = await liveStatus(client, project);
        return s.cycle === 1 && stepIndex(s.step) >= stepIndex(step) ? s : undefined;
      },
      100,
    );
    expect(seen.step).toBe(step); // the step must still be running when we get there, or the kill would prove nothing
    if (step === 'waitForAutoML') {
      // Restart the Temporal server (same sqlite file, same port) while the job trains ...
      await sleep(1000);
      const restartAt = Date.now();
      await server.stop();
      log.push(`server stopped at +${Date.now() - started} ms`);
      server = await startServer();
      log.push(`server restarted at +${Date.now() - started} ms`);
      // ... and see the surviving worker reconnect: its heartbeats for the wait reach the new server.
      let pendingSeen = '';
      await waitFor('the worker to heartbeat to the restarted server', 45_000, async () => {
        const { raw } = await client.workflow.getHandle(cycleId).describe();
        const pending = raw.pendingActivities?.[0];
        pendingSeen =
          `${pending?.activityType?.name} attempt ${pending?.attempt}` +
          ` last beat ${pending?.lastHeartbeatTime?.seconds}; worker: ${worker?.output().slice(-1500)}`;
        if (pending?.activityType?.name !== 'waitForAutoML') {
          const events = (await client.workflow.getHandle(cycleId).fetchHistory()).events ?? [];
          const tail = events
            .slice(-8)
            .map(
              (e) =>
                `${e.eventType}@${e.eventTime?.seconds} ${e.activityTaskFailedEventAttributes?.failure?.message ?? ''}`,
            )
            .join(',');
          throw new Error(
            `the AutoML wait is over before the check (restart at ${restartAt / 1000})` +
              `: ${pendingSeen}; history tail ${tail}`,
          );
        }
        const beatAt = pending?.lastHeartbeatTime?.seconds ? Number(pending.lastHeartbeatTime.seconds) * 1000 : 0;
        if (beatAt > restartAt) return true;
        throw new Error(`no heartbeat since the restart yet: ${pendingSeen}`);
      });
      const s = await liveStatus(client, project);
      expect(s.step).toBe('waitForAutoML');
    } else {
      await sleep(afterMs);
    }
    await worker?.kill();
    log.push(`killed during ${step} at +${Date.now() - started} ms`);
    worker = await newWorker();
  }

  let where = '';
  record = await waitFor(
    `cycle 1 to end (log: ${log.join('; ')})`,
    240_000,
    async () => {
      const history = await handle.query(historyQuery);
      const found = history.find((r) => r.cycle === 1);
      if (!found) {
        const s = await liveStatus(client, project);
        const { raw } = await client.workflow.getHandle(cycleId).describe();
        const p = raw.pendingActivities?.[0];
        where =
          `step ${s.step}, activity ${p?.activityType?.name} attempt ${p?.attempt}` +
          ` state ${p?.state} last failure ${p?.lastFailure?.message}`;
        throw new Error(where);
      }
      return found;
    },
    500,
  );

  // Each killed step really was interrupted (a second attempt ran) and then completed.
  const attempts = await activityAttempts(client, cycleId);
  for (const { step } of KILLS) {
    expect({
      step,
      attempt: (attempts.get(step)?.attempt ?? 0) >= 2,
      completed: attempts.get(step)?.completed,
    }).toEqual({ step, attempt: true, completed: true });
  }
  // Everything up to the traffic switch succeeded; the whole cycle deployed unless the workspace has no batch
  // endpoints.
  const done = record.steps.filter((s) => !s.error).map((s) => s.step);
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
  if (batch) expect(record.outcome).toBe('deployed');
  else expect(record.reason).toMatch(/publishPipeline failed/);

  // Exactly one creating PUT per resource, whatever the kills did (retried LRO polls are GETs).
  const puts = (await ws.journal({ method: 'PUT' })).filter((e) => !e.injected && e.status < 300);
  const count = (re: RegExp) => puts.filter((e) => re.test(e.path.split('?')[0])).length;
  const summary = puts.map((e) => `${e.status} ${e.path.split('/workspaces/local')[1] ?? e.path}`);
  // Deployments: deployModel's creating PUT plus enableInsights' PUT of the whole deployment (2022-10-01 has no PATCH
  // for
  // appInsightsEnabled). A repeated create would show as a third, since enableInsights PUTs whenever insights are off.
  expect({
    data: count(/\/data\/[^/]+\/versions\/[^/]+$/),
    jobs: count(/\/jobs\/[^/]+$/),
    models: count(/\/models\/[^/]+\/versions\/[^/]+$/),
    deployments: count(/\/onlineEndpoints\/[^/]+\/deployments\/[^/]+$/),
    summary,
  }).toEqual({
    // #11: the training data and the cycle's test slice are two data versions.
    data: 2,
    jobs: 1,
    models: 1,
    deployments: 2,
    summary,
  });
}, 420_000);

test('no secret appears in any workflow history', async () => {
  expect(record).toBeDefined(); // needs the full cycle above
  await ws.setFaults([]);
  const arm = new AzureMachineLearningWorkspaces(ws.credential, ws.subscriptionId, {
    endpoint: ws.endpoint,
    tlsOptions: { ca: ws.caCertificate },
  });
  const keys = await arm.onlineEndpoints.listKeys(ws.resourceGroup, ws.workspaceName, endpointName(project));
  const datastore = (await arm.datastores.listSecrets(ws.resourceGroup, ws.workspaceName, 'workspaceblobstore')) as {
    key?: string;
  };
  const tokenSecret = readFileSync(join(ws.dir, 'auth', 'token-secret'), 'utf8').trim();
  const token = (await ws.credential.getToken(''))?.token;
  const secrets: Record<string, string | undefined> = {
    'endpoint primary key': keys.primaryKey,
    'endpoint secondary key': keys.secondaryKey,
    'datastore account key': datastore.key,
    'workspace token secret': tokenSecret,
    'webhook token': webhookToken,
  };
  for (const [name, value] of Object.entries(secrets))
    expect({ name, usable: typeof value === 'string' && value.length >= 16 }).toEqual({ name, usable: true });

  const ids: string[] = [];
  for await (const wf of client.workflow.list()) ids.push(wf.workflowId);
  expect(ids).toEqual(expect.arrayContaining([projectWorkflowId(project), cycleWorkflowId(project, 1)]));
  for (const id of ids) {
    const text = await historyJson(client, id);
    const found = Object.entries(secrets)
      .filter(([, v]) => v && text.includes(v))
      .map(([name]) => name);
    // Token signatures are per call and expire; the secret that signs them is what must never leak.
    if (token) expect(text.includes(token)).toBe(false);
    // The check sees decoded payloads: the project's own input (its dataset path) is readable in its history.
    if (id === projectWorkflowId(project)) expect(text).toContain('bank-4000.csv');
    expect({ id, found }).toEqual({ id, found: [] });
  }
}, 60_000);

test(
  'a retried deployModel that finds its deployment still provisioning' + ' waits for it instead of failing with 409',
  async () => {
    expect(record?.model).toBeDefined(); // reuses the model and endpoint of the cycle above
    const model = record?.model as NonNullable<CycleRecord['model']>;
    const arm = new AzureMachineLearningWorkspaces(ws.credential, ws.subscriptionId, {
      endpoint: ws.endpoint,
      tlsOptions: { ca: ws.caCertificate },
    });
    const ep = endpointName(project);
    const name = 'crash-retry';
    const since = (await ws.journal()).reduce((m, e) => Math.max(m, e.seq), 0);
    // What a crashed attempt leaves behind: its PUT accepted, the deployment provisioning (a scoring process starting).
    await arm.onlineDeployments.beginCreateOrUpdate(ws.resourceGroup, ws.workspaceName, ep, name, {
      location: 'local',
      sku: { name: 'Default', capacity: 1 },
      properties: {
        endpointComputeType: 'Managed',
        model:
          `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}` +
          `/providers/Microsoft.MachineLearningServices` +
          `/workspaces/${ws.workspaceName}/models/${model.name}/versions/${model.version}`,
        instanceType: 'Standard_DS2_v2',
      },
    });
    const state = (await arm.onlineDeployments.get(ws.resourceGroup, ws.workspaceName, ep, name)).properties
      .provisioningState;
    expect(state).toBe('Creating');
    // The retry: the same activity, as the new worker runs it.
    const client = new AzureMLClient(localTargetFromDir(ws.dir));
    const ref = await deployModel({ client, reportsDir: join(dir, 'reports') })({
      project,
      cycle: 99,
      endpointName: ep,
      deploymentName: name,
      model,
      instanceType: 'Standard_DS2_v2',
      instanceCount: 1,
    });
    expect(ref).toMatchObject({ endpointName: ep, deploymentName: name });
    expect(
      (await arm.onlineDeployments.get(ws.resourceGroup, ws.workspaceName, ep, name)).properties.provisioningState,
    ).toBe('Succeeded');
    const puts = (await ws.journal({ method: 'PUT', pathContains: `/deployments/${name}` })).filter(
      (e) => e.seq > since && !e.injected,
    );
    expect(puts.map((e) => e.status)).toEqual([expect.any(Number)]);
  },
  90_000,
);

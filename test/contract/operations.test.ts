// Contract: fault injection (429 retried by the SDK, 503 surfaced, slow answers), the request journal,
// and state across restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  FAST,
  armPut,
  bankSample,
  call,
  putJob,
  startTestWorkspace,
  uploadMltable,
  waitFor,
  type TestWorkspace,
} from './helpers';
import { LocalWorkspaceCredential } from '../../src/emulator';
import type { JournalEntry } from '../../src/emulator';

describe('faults and journal', () => {
  let t: TestWorkspace;
  beforeAll(async () => {
    t = await startTestWorkspace();
    await t.client.computeOperations.beginCreateOrUpdateAndWait(
      t.rg,
      t.name,
      'c1',
      { properties: { computeType: 'AmlCompute', properties: { scaleSettings: { maxNodeCount: 1 } } } },
      FAST,
    );
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const journal = async (q: string) =>
    (await call(t.ws, 'GET', `/_admin/journal?${q}`)).json<{ lastSeq: number; entries: JournalEntry[] }>();

  test('two injected 429s with Retry-After are retried by the SDK; the journal shows three calls', async () => {
    const since = (await journal('')).lastSeq;
    const add = await call(t.ws, 'POST', '/_admin/faults', {
      body: { operation: 'Compute_Get', status: 429, count: 2, retryAfterSeconds: 1 },
    });
    expect(add.status).toBe(200);
    const started = Date.now();
    const c = await t.client.computeOperations.get(t.rg, t.name, 'c1');
    expect(c.name).toBe('c1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const calls = (await journal(`since=${since}&operation=Compute_Get`)).entries;
    expect(calls.map((e) => e.status)).toEqual([429, 429, 200]);
    expect(calls.filter((e) => e.injected)).toHaveLength(2);
    expect((await call(t.ws, 'GET', '/_admin/faults')).json()).toEqual({ rules: [] });
  });

  test('503s beyond the SDK retry budget surface as RestError with Azure code; slow answers are slow', async () => {
    await call(t.ws, 'PUT', '/_admin/faults', {
      body: [{ operation: 'Workspaces_Get', status: 503, rate: 1, retryAfterSeconds: 0 }],
    });
    const err = await t.client.workspaces.get(t.rg, t.name).catch((e: RestError) => e);
    expect(err).toBeInstanceOf(RestError);
    expect(err).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable' });
    await call(t.ws, 'PUT', '/_admin/faults', { body: [{ operation: 'Workspaces_Get', delayMs: 300 }] });
    const started = Date.now();
    await t.client.workspaces.get(t.rg, t.name);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await call(t.ws, 'DELETE', '/_admin/faults')).status).toBe(204);
    const fast = Date.now();
    await t.client.workspaces.get(t.rg, t.name);
    expect(Date.now() - fast).toBeLessThan(300);
  });

  test('a one-shot 500 on job PUT is retried by the SDK pipeline; exactly one job exists', async () => {
    const since = (await journal('')).lastSeq;
    await call(t.ws, 'POST', '/_admin/faults', { body: { operation: 'Jobs_CreateOrUpdate', status: 500, count: 1 } });
    const dataUri = await uploadMltable(t, 'faults', bankSample(300));
    await t.client.dataVersions.createOrUpdate(t.rg, t.name, 'd', '1', {
      properties: { dataType: 'mltable', dataUri },
    });
    const res = await putJob(t, 'once', {
      jobType: 'AutoML',
      computeId: 'azureml:c1',
      taskDetails: {
        taskType: 'Classification',
        trainingData: { jobInputType: 'mltable', uri: 'azureml:d:1' },
        targetColumnName: 'y',
        limitSettings: { timeout: 'PT30S', maxTrials: 1 },
      },
    });
    expect(res.status).toBe(201);
    const puts = (await journal(`since=${since}&operation=Jobs_CreateOrUpdate`)).entries;
    expect(puts.map((e) => e.status)).toEqual([500, 201]);
    await t.client.jobs.beginCancelAndWait(t.rg, t.name, 'once', FAST);
  });

  test('schedules: Cron and Recurrence PUT (LRO) / GET / list / DELETE, and a fire submits the CreateJob job', async () => {
    const jobDefinition = {
      jobType: 'AutoML',
      computeId: 'azureml:c1',
      taskDetails: {
        taskType: 'Classification',
        trainingData: { jobInputType: 'mltable', uri: 'azureml:d:1' },
        targetColumnName: 'y',
        limitSettings: { timeout: 'PT30S', maxTrials: 1 },
      },
    };
    const put = await armPut(t, 'schedules/nightly', {
      properties: {
        displayName: 'nightly retrain',
        isEnabled: true,
        trigger: { triggerType: 'Cron', expression: '0 3 * * *' },
        action: { actionType: 'CreateJob', jobDefinition },
      },
    });
    expect(put.status).toBe(201);
    expect(put.headers['azure-asyncoperation']).toMatch(/mfeOperationsStatus/);
    const s = await waitFor(
      'schedule',
      async () => {
        const got = await t.client.schedules.get(t.rg, t.name, 'nightly');
        return got.properties.provisioningState === 'Succeeded' ? got : undefined;
      },
      5000,
      50,
    );
    expect(s.properties.trigger).toMatchObject({ triggerType: 'Cron', expression: '0 3 * * *' });
    const next = new Date(String(s.properties.properties!['amlops.nextRunTime']));
    expect(next.getUTCHours()).toBe(3);
    expect(next.getTime()).toBeGreaterThan(Date.now());

    const rec = await armPut(t, 'schedules/hourly', {
      properties: {
        trigger: { triggerType: 'Recurrence', frequency: 'Minute', interval: 1 },
        action: { actionType: 'CreateJob', jobDefinition },
      },
    });
    expect(rec.status).toBe(201);
    const names = [];
    await waitFor(
      'hourly',
      async () =>
        (await t.client.schedules.get(t.rg, t.name, 'hourly')).properties.provisioningState === 'Succeeded'
          ? true
          : undefined,
      5000,
      50,
    );
    for await (const x of t.client.schedules.list(t.rg, t.name)) names.push(x.name);
    expect(names.sort()).toEqual(['hourly', 'nightly']);

    const badCron = await armPut(t, 'schedules/bad', {
      properties: {
        trigger: { triggerType: 'Cron', expression: '61 * * * *' },
        action: { actionType: 'CreateJob', jobDefinition },
      },
    });
    expect(badCron).toMatchObject({ status: 400, body: { error: { target: 'properties.trigger.expression' } } });
    const badJob = await armPut(t, 'schedules/bad', {
      properties: {
        trigger: { triggerType: 'Cron', expression: '* * * * *' },
        action: { actionType: 'CreateJob', jobDefinition: { ...jobDefinition, jobType: 'Command' } },
      },
    });
    expect(badJob).toMatchObject({
      status: 400,
      body: { error: { target: 'properties.action.jobDefinition.jobType' } },
    });

    const fired = (await call(t.ws, 'POST', '/_admin/schedules/nightly/trigger')).json<{ jobName: string }>();
    expect(fired.jobName).toMatch(/^nightly-\d{12}$/);
    const job = await t.client.jobs.get(t.rg, t.name, fired.jobName);
    expect(job.properties.jobType).toBe('AutoML');
    await t.client.jobs.beginCancelAndWait(t.rg, t.name, fired.jobName, FAST);

    await t.client.schedules.beginDeleteAndWait(t.rg, t.name, 'hourly', FAST);
    await t.client.schedules.beginDeleteAndWait(t.rg, t.name, 'nightly', FAST);
    await expect(t.client.schedules.get(t.rg, t.name, 'nightly')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  test('bad fault rules are 400 naming the field; admin routes need the token', async () => {
    const bad = await call(t.ws, 'POST', '/_admin/faults', { body: { status: 418 } });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { target: 'status' } });
    expect((await call(t.ws, 'GET', '/_admin/journal', { token: false })).status).toBe(401);
    expect((await call(t.ws, 'GET', '/_admin/health', { token: false })).status).toBe(200);
  });
});

describe('process entry and restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amlops-restart-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts dist/src/emulator/main.js and resolves with its ready line. */
  function startProcess(): Promise<{
    endpoint: string;
    caCertificatePath: string;
    subscriptionId: string;
    resourceGroup: string;
    workspaceName: string;
    startMs: number;
  }> {
    child = spawn(process.execPath, [join(__dirname, '..', '..', 'src', 'emulator', 'main.js'), '--data-dir', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child!.stdout! });
      lines.once('line', (l) => resolve(JSON.parse(l)));
      child!.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
    });
  }

  test('resources persist; a job running when the process was killed is Failed with the reason; deployments are not needed', async () => {
    const first = await startProcess();
    // Under 2 s when alone (bench/emulator.ts measures it); here other suites train in parallel,
    // so only a sanity bound.
    expect(first.startMs).toBeLessThan(10_000);
    const ca = readFileSync(first.caCertificatePath, 'utf8');
    const client = () =>
      new AzureMachineLearningWorkspaces(LocalWorkspaceCredential.fromDataDir(dir), first.subscriptionId, {
        endpoint: endpointNow,
        tlsOptions: { ca },
      });
    let endpointNow = first.endpoint;
    const c1 = client();
    const rg = first.resourceGroup;
    const ws = first.workspaceName;
    await c1.computeOperations.beginCreateOrUpdateAndWait(
      rg,
      ws,
      'cpu',
      { properties: { computeType: 'AmlCompute', properties: { scaleSettings: { maxNodeCount: 1 } } } },
      FAST,
    );
    const ds = await c1.datastores.get(rg, ws, 'workspaceblobstore');
    const key = (await c1.datastores.listSecrets(rg, ws, 'workspaceblobstore')) as { key: string };
    const container = BlobServiceClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key.key};BlobEndpoint=${ds.properties.tags!['amlops.blobEndpoint']};`,
    ).getContainerClient((ds.properties as { containerName: string }).containerName);
    const csv = bankSample(1500);
    await container.getBlockBlobClient('bank/data.csv').upload(csv, csv.length);
    const mltable = 'paths:\n  - file: ./data.csv\n';
    await container.getBlockBlobClient('bank/MLTable').upload(mltable, mltable.length);
    await c1.dataVersions.createOrUpdate(rg, ws, 'bank', '1', {
      properties: { dataType: 'mltable', dataUri: 'azureml://datastores/workspaceblobstore/paths/bank' },
    });
    const t = {
      ws: { endpoint: first.endpoint, subscriptionId: first.subscriptionId },
      client: c1,
      rg,
      name: ws,
    } as unknown as TestWorkspace;
    const put = await putJob(t, 'interrupted', {
      jobType: 'AutoML',
      computeId: 'azureml:cpu',
      taskDetails: {
        taskType: 'Classification',
        trainingData: { jobInputType: 'mltable', uri: 'azureml:bank:1' },
        targetColumnName: 'y',
        limitSettings: { timeout: 'PT5M', maxTrials: 500 },
      },
    });
    expect(put.status).toBe(201);
    await waitFor(
      'running',
      async () => ((await c1.jobs.get(rg, ws, 'interrupted')).properties.status === 'Running' ? true : undefined),
      20_000,
      50,
    );

    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    const second = await startProcess();
    endpointNow = second.endpoint;
    const c2 = client();
    expect((await c2.computeOperations.get(rg, ws, 'cpu')).properties?.provisioningState).toBe('Succeeded');
    expect((await c2.dataVersions.get(rg, ws, 'bank', '1')).properties.dataUri).toBe(
      'azureml://datastores/workspaceblobstore/paths/bank',
    );
    const job = await c2.jobs.get(rg, ws, 'interrupted');
    expect(job.properties.status).toBe('Failed');
    expect(job.properties.properties?.['azureml.error.message']).toMatch(/stopped while job 'interrupted' was Running/);
    child!.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  });
});

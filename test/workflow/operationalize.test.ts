// The retraining workflow's decisions, on a real Temporal dev server with scripted activities.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { operationalize } from '../../src/workflows';
import {
  approvalUpdate,
  historyQuery,
  retrainSignal,
  retrainUpdate,
  statusQuery,
  triggersQuery,
  cycleWorkflowId,
  projectWorkflowId,
  type CycleSettings,
} from '../../src/contract';
import { liveStatus, type LiveStatus } from '../../src/starters/live-status';
import { bundleWorkflows, FAST_ROLLOUT_SETTINGS, startTestServer } from '../helpers/temporal';
import { fakeActivities, fatal, gate, retryable, type FakeScript } from '../helpers/fake-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
}, 120000);
afterAll(async () => {
  await env?.teardown();
});

const settings = (extra: Partial<CycleSettings> = {}): CycleSettings => ({
  ...FAST_ROLLOUT_SETTINGS,
  ...extra,
});

interface Project {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof operationalize>;
  calls: ReturnType<typeof fakeActivities>['calls'];
  name: string;
}

/** Runs `body` with a worker serving a fresh project workflow whose activities follow `script`. */
async function withProject(
  script: FakeScript,
  body: (p: Project) => Promise<void>,
  opts: { settings?: CycleSettings; maxHistoryEvents?: number; datasetUri?: string } = {},
): Promise<void> {
  const taskQueue = `test-${randomUUID()}`;
  const name = `p${randomUUID().slice(0, 8)}`;
  const { activities, calls } = fakeActivities(script);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(operationalize, {
      taskQueue,
      workflowId: projectWorkflowId(name),
      args: [
        {
          project: name,
          datasetUri: opts.datasetUri ?? 'data/x.csv',
          settings: opts.settings ?? settings(),
          maxHistoryEvents: opts.maxHistoryEvents,
        },
      ],
    });
    try {
      await body({ handle, calls, name });
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  });
}

/** Waits for the project's status, as `amlops status` sees it (the project, then its running cycle), to match. */
async function until(
  name: string,
  predicate: (s: LiveStatus) => boolean,
  what: string,
  timeoutMs = 30000,
): Promise<LiveStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: LiveStatus | undefined;
  while (Date.now() < deadline) {
    last = await liveStatus(env.client, name);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

const cyclesDone = (n: number) => (s: LiveStatus) => s.state === 'idle' && s.cyclesCompleted >= n;

test('a cycle runs every step in order and deploys the first model', async () => {
  await withProject(
    {},
    async ({ handle, calls, name }) => {
      await until(name, cyclesDone(1), 'cycle 1');
      const [record] = await handle.query(historyQuery);
      expect(record.outcome).toBe('deployed');
      expect(calls.map((c) => c.name)).toEqual([
        'uploadDataset',
        'ensureCompute',
        'submitAutoML',
        'waitForAutoML',
        'registerModel',
        'deployModel',
        'enableInsights',
        'evaluateModels',
        'smokeTest',
        'switchTraffic',
        'publishPipeline',
      ]);
      expect(record.steps.map((s) => s.step)).toEqual(calls.map((c) => c.name));
      // The cycle holds out its test slice, and the first model is judged on it alone.
      expect(calls[0].input).toMatchObject({ cycle: 1, testShare: 0.2 });
      const evaluate = calls.find((c) => c.name === 'evaluateModels')!;
      expect(evaluate.input).toMatchObject({
        challenger: { deploymentName: 'cycle-1' },
        testSlice: { version: 'def456' },
      });
      expect(evaluate.input.champion).toBeUndefined();
      expect(record.evaluation).toMatchObject({ testRows: 600, challenger: { metric: 0.91 } });
      expect(record.reason).toBe('first model: AUC_weighted 0.9100 on the 600-row test slice');
      // The training data's reference goes on to AutoML, without the slice.
      expect(calls.find((c) => c.name === 'submitAutoML')?.input.dataset).not.toHaveProperty('testSlice');
      expect(calls.find((c) => c.name === 'publishPipeline')?.input.schedule).toEqual({ every: '7d' });
      const status = await handle.query(statusQuery);
      expect(status.champion?.model.version).toBe('1');
      expect(status.champion?.deployment.deploymentName).toBe('cycle-1');
      // Deterministic names: a retry of submitAutoML would ask for this same job.
      expect(calls.find((c) => c.name === 'submitAutoML')?.input.jobName).toBe(
        `${handle.workflowId.replace('amlops-', '')}-automl-c1`,
      );
    },
    { settings: settings({ retrainSchedule: { every: '7d' } }) },
  );
});

test('a retryable failure is retried, shown with its attempt, and the cycle succeeds', async () => {
  const fail = {
    uploadDataset: (attempt: number) => {
      if (attempt < 3) throw retryable('workspace throttled (429)');
    },
  };
  const third = gate();
  let attempts = 0;
  // hold runs only once fail lets an attempt through: its first call is the third attempt.
  const hold = { uploadDataset: () => (++attempts === 1 ? third.wait() : Promise.resolve()) };
  await withProject({ fail, hold }, async ({ handle, calls, name }) => {
    const retrying = await until(name, (s) => s.step === 'uploadDataset' && s.attempt === 3, 'the third attempt');
    expect(retrying.lastError).toBe('cycle 1, uploadDataset (attempt 2): workspace throttled (429)');
    expect(retrying.steps).toHaveLength(1);
    third.open();
    const done = await until(name, cyclesDone(1), 'cycle 1');
    expect(done.lastError).toBeUndefined();
    expect((await handle.query(historyQuery))[0].outcome).toBe('deployed');
    expect(calls.filter((c) => c.name === 'uploadDataset').map((c) => c.attempt)).toEqual([1, 2, 3]);
  });
});

test(
  'a non-retryable failure ends the cycle at once,' + ' is shown in status, and a retrain after the fix succeeds',
  async () => {
    let broken = true;
    const fail = {
      ensureCompute: () => {
        if (broken) throw fatal('vmSize "Standard_BOGUS" is not a valid VM size; use e.g. Standard_DS3_v2');
      },
    };
    await withProject({ fail }, async ({ handle, calls, name }) => {
      const status = await until(name, cyclesDone(1), 'cycle 1 to fail');
      expect(status.lastError).toContain('Standard_BOGUS');
      expect(calls.filter((c) => c.name === 'ensureCompute')).toHaveLength(1);
      const [record] = await handle.query(historyQuery);
      expect(record.outcome).toBe('failed');
      expect(record.reason).toContain('ensureCompute failed');
      expect(calls.some((c) => c.name === 'submitAutoML')).toBe(false);

      broken = false;
      const ack = await handle.executeUpdate(retrainUpdate, {
        args: [{ requestId: 'fix-1', reason: 'fixed vm size', source: 'cli' }],
      });
      expect(ack).toEqual({ status: 'started', cycle: 2 });
      const after = await until(name, cyclesDone(2), 'cycle 2');
      expect(after.lastError).toBeUndefined();
      expect((await handle.query(historyQuery))[1].outcome).toBe('deployed');
    });
  },
);

test('champion/challenger: a challenger within the margin is not deployed; a clearly better one is', async () => {
  const metrics = [0.9, 0.905, 0.95];
  await withProject(
    { metric: (c) => metrics[c - 1] },
    async ({ handle, calls, name }) => {
      await until(name, cyclesDone(1), 'cycle 1');
      await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'r2', reason: 'new data', source: 'cli' }] });
      await until(name, cyclesDone(2), 'cycle 2');
      await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'r3', reason: 'newer data', source: 'cli' }] });
      const status = await until(name, cyclesDone(3), 'cycle 3');
      const history = await handle.query(historyQuery);
      expect(history.map((h) => h.outcome)).toEqual(['deployed', 'kept-champion', 'deployed']);
      expect(history[1].reason).toMatch(/0\.9050 vs champion 0\.9000.*champion kept/);
      expect(history[1].championBefore?.metricValue).toBe(0.9);
      expect(history[2].reason).toMatch(/challenger wins/);
      // #11: the gate now follows deployModel (the challenger is scored through its own deployment), so cycle 2's
      // deployment is made, then removed when the champion is kept.
      expect(calls.filter((c) => c.name === 'deployModel').map((c) => c.input.deploymentName)).toEqual([
        'cycle-1',
        'cycle-2',
        'cycle-3',
      ]);
      expect(calls.find((c) => c.name === 'rollbackDeployment')?.input).toMatchObject({
        failedDeployment: 'cycle-2',
        previousDeployment: 'cycle-1',
      });
      expect(status.champion?.cycle).toBe(3);
      expect(status.bestMetric).toBe(0.95);
    },
    { settings: settings({ championMargin: 0.01 }) },
  );
});

/** Runs cycle 1, then a retrain (cycle 2), and returns cycle 2's record. */
async function secondCycle({ handle, name }: Project) {
  await until(name, cyclesDone(1), 'cycle 1');
  await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'r2', reason: 'new data', source: 'cli' }] });
  const status = await until(name, cyclesDone(2), 'cycle 2');
  return { status, record: (await handle.query(historyQuery))[1] };
}

/** Two cycles whose models reach validation[N - 1] in their own training run and slice[N - 1] on a test slice. */
async function fairGate(
  validation: number[],
  slice: number[],
  body: (p: Project, second: Awaited<ReturnType<typeof secondCycle>>) => Promise<void>,
): Promise<void> {
  const script = { metric: (c: number) => validation[c - 1], sliceMetric: (c: number) => slice[c - 1] };
  await withProject(script, async (p) => body(p, await secondCycle(p)));
}

test('fair gate: a challenger better on the test slice deploys, though its validation metric is lower', async () => {
  // Harder new data: the challenger's validation metric (0.85) is below the champion's old one (0.90), but on the
  // same test slice it beats the champion (0.83 vs 0.80).
  await fairGate([0.9, 0.85], [0.8, 0.83], async (p, { status, record }) => {
    expect(record.outcome).toBe('deployed');
    expect(record.evaluation).toMatchObject({
      testRows: 600,
      challenger: { deploymentName: 'cycle-2', metric: 0.83 },
      champion: { deploymentName: 'cycle-1', metric: 0.8 },
      difference: expect.closeTo(0.03, 12),
      interval: { low: expect.closeTo(0.02, 12), high: expect.closeTo(0.04, 12), confidence: 0.95 },
    });
    expect(record.reason).toBe(
      'challenger AUC_weighted 0.8300 vs champion 0.8000 on the 600-row test slice, difference +0.0300' +
        ' (95% interval +0.0200 to +0.0400), margin 0.001: challenger wins by 0.0300',
    );
    const evaluate = p.calls.filter((c) => c.name === 'evaluateModels')[1];
    expect(evaluate.input).toMatchObject({
      challenger: { deploymentName: 'cycle-2' },
      champion: { deploymentName: 'cycle-1' },
    });
    // The first model takes all traffic at once; the second earns it through its rollout beside the champion.
    expect(p.calls.filter((c) => c.name === 'switchTraffic').map((c) => c.input.deploymentName)).toEqual(['cycle-1']);
    expect(record.rollout?.outcome).toBe('completed');
    expect(status.champion?.cycle).toBe(2);
  });
});

test('fair gate: a champion better on the test slice is kept, though the challenger validates higher', async () => {
  // Easier new data: the challenger validates at 0.95 against the champion's 0.90, but scores 0.78 to the
  // champion's 0.80 on the same test slice.
  await fairGate([0.9, 0.95], [0.8, 0.78], async (p, { status, record }) => {
    expect(record.outcome).toBe('kept-champion');
    expect(record.reason).toMatch(
      /^challenger AUC_weighted 0\.7800 vs champion 0\.8000 on the 600-row test slice, difference -0\.0200 \(95% interval -0\.0300 to -0\.0100\).*champion kept; the challenger's deployment was removed$/,
    );
    expect(record.evaluation).toMatchObject({ challenger: { metric: 0.78 }, champion: { metric: 0.8 } });
    // The challenger's deployment (made for its evaluation) is removed; traffic stays on the champion's.
    expect(p.calls.find((c) => c.name === 'rollbackDeployment')?.input).toMatchObject({
      failedDeployment: 'cycle-2',
      previousDeployment: 'cycle-1',
    });
    const cycle2 = p.calls.slice(p.calls.findIndex((c) => c.name === 'uploadDataset' && c.input.cycle === 2));
    expect(cycle2.map((c) => c.name)).toEqual([
      'uploadDataset',
      'ensureCompute',
      'submitAutoML',
      'waitForAutoML',
      'registerModel',
      'deployModel',
      'enableInsights',
      'checkCompatibility',
      'evaluateModels',
      'rollbackDeployment',
    ]);
    expect(record.steps.map((s) => s.step)).toEqual(cycle2.map((c) => c.name));
    expect(status.champion?.deployment.deploymentName).toBe('cycle-1');
  });
});

test('a registered data asset has no test slice: the validation metrics decide, and the reason says so', async () => {
  const validation = [0.9, 0.95];
  await withProject(
    { metric: (c) => validation[c - 1] },
    async (p) => {
      const { record } = await secondCycle(p);
      expect(p.calls.some((c) => c.name === 'evaluateModels')).toBe(false);
      expect(record.evaluation).toBeUndefined();
      expect(record.outcome).toBe('deployed');
      expect(record.reason).toMatch(/^no test slice \(azureml:bank:3 is a registered data asset.*challenger wins/);
    },
    { datasetUri: 'azureml:bank:3' },
  );
});

test('a failed smoke test rolls traffic back to the previous deployment', async () => {
  await withProject({ smokePasses: (c) => c !== 2 }, async ({ handle, calls, name }) => {
    await until(name, cyclesDone(1), 'cycle 1');
    await handle.signal(retrainSignal, { requestId: 'r2', reason: 'new data', source: 'webhook' });
    const status = await until(name, cyclesDone(2), 'cycle 2');
    const record = (await handle.query(historyQuery))[1];
    expect(record.outcome).toBe('rolled-back');
    expect(record.reason).toContain('answered labels outside');
    const rollback = calls.find((c) => c.name === 'rollbackDeployment');
    expect(rollback?.input).toMatchObject({ failedDeployment: 'cycle-2', previousDeployment: 'cycle-1' });
    expect(calls.filter((c) => c.name === 'switchTraffic')).toHaveLength(1);
    expect(status.champion?.deployment.deploymentName).toBe('cycle-1');
  });
});

test('a step failing after the traffic switch still leaves the new model as champion', async () => {
  const fail = {
    publishPipeline: () => {
      throw fatal('batch endpoints are not available in this workspace');
    },
  };
  await withProject({ fail }, async ({ handle, name }) => {
    const status = await until(name, cyclesDone(1), 'cycle 1');
    const [record] = await handle.query(historyQuery);
    expect(record.outcome).toBe('failed');
    expect(record.reason).toContain('publishPipeline failed: batch endpoints are not available');
    expect(status.champion?.deployment.deploymentName).toBe('cycle-1');
  });
});

test('approval gate: the cycle waits, then approve switches traffic and reject rolls back', async () => {
  await withProject(
    {},
    async ({ handle, calls, name }) => {
      const waiting = await until(name, (s) => s.state === 'awaiting-approval', 'approval wait');
      expect(waiting.step).toBe('awaitApproval');
      expect(calls.some((c) => c.name === 'switchTraffic')).toBe(false);
      // The decision goes to the cycle itself, whose validator refuses a decision meant for another cycle.
      const cycle1 = env.client.workflow.getHandle(cycleWorkflowId(name, 1));
      await expect(
        cycle1.executeUpdate(approvalUpdate, { args: [{ cycle: 7, approved: true }] }),
      ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/Cycle 7 is not waiting/) } });
      await cycle1.executeUpdate(approvalUpdate, { args: [{ cycle: 1, approved: true, by: 'ana' }] });
      await until(name, cyclesDone(1), 'cycle 1');
      expect((await handle.query(historyQuery))[0].outcome).toBe('deployed');

      await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'r2', reason: 'x', source: 'cli' }] });
      await until(name, (s) => s.state === 'awaiting-approval' && s.cycle === 2, 'approval wait 2');
      await env.client.workflow
        .getHandle(cycleWorkflowId(name, 2))
        .executeUpdate(approvalUpdate, { args: [{ cycle: 2, approved: false, by: 'ben', comment: 'drift' }] });
      const status = await until(name, cyclesDone(2), 'cycle 2');
      const record = (await handle.query(historyQuery))[1];
      expect(record.outcome).toBe('rejected');
      expect(record.reason).toContain('rejected by ben: drift');
      expect(calls.find((c) => c.name === 'rollbackDeployment')?.input).toMatchObject({
        failedDeployment: 'cycle-2',
        previousDeployment: 'cycle-1',
      });
      expect(status.champion?.cycle).toBe(1);
    },
    { settings: settings({ requireApproval: true }) },
  );
});

test('50 retrain signals during a cycle start exactly one next cycle and are all recorded', async () => {
  const held = gate();
  let waits = 0;
  const hold = { waitForAutoML: () => (++waits === 1 ? held.wait() : Promise.resolve()) };
  await withProject({ hold }, async ({ handle, calls, name }) => {
    await until(name, (s) => s.step === 'waitForAutoML', 'cycle 1 at the AutoML wait');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        handle.signal(retrainSignal, {
          requestId: `push-${i}`,
          reason: `commit ${i}`,
          source: 'github',
          datasetUri: `data/v${i}.csv`,
        }),
      ),
    );
    const during = await handle.query(statusQuery);
    expect(during.pendingTriggers).toBe(50);
    held.open();
    await until(name, cyclesDone(2), 'cycle 2');
    await new Promise((r) => setTimeout(r, 500)); // a third cycle would have started by now
    const status = await handle.query(statusQuery);
    expect(status.cycle).toBe(2);
    expect(status.triggersRecorded).toBe(51);
    const triggers = await handle.query(triggersQuery);
    expect(triggers.filter((t) => t.source === 'github').every((t) => t.cycle === 2)).toBe(true);
    const history = await handle.query(historyQuery);
    expect(history[1].triggers).toHaveLength(50);
    // The dataset of the last trigger received wins when triggers are coalesced.
    const lastReceived = triggers[triggers.length - 1];
    expect(lastReceived.datasetUri).toMatch(/^data\/v\d+\.csv$/);
    expect(calls.filter((c) => c.name === 'uploadDataset')[1].input.datasetUri).toBe(lastReceived.datasetUri);
  });
});

test('a repeated request id is ignored', async () => {
  await withProject({}, async ({ handle, name }) => {
    await until(name, cyclesDone(1), 'cycle 1');
    const first = await handle.executeUpdate(retrainUpdate, {
      args: [{ requestId: 'delivery-1', reason: 'push', source: 'github' }],
    });
    const again = await handle.executeUpdate(retrainUpdate, {
      args: [{ requestId: 'delivery-1', reason: 'push', source: 'github' }],
    });
    expect(first).toEqual({ status: 'started', cycle: 2 });
    expect(again).toEqual({ status: 'duplicate', cycle: 2 });
    await handle.signal(retrainSignal, { requestId: 'delivery-1', reason: 'push', source: 'github' });
    await until(name, cyclesDone(2), 'cycle 2');
    await new Promise((r) => setTimeout(r, 500));
    const status = await handle.query(statusQuery);
    expect(status.cycle).toBe(2);
    expect(status.triggersRecorded).toBe(2);
  });
});

test('a dataset that fails to upload never becomes the project dataset: the next plain retrain uses the last good one', async () => {
  const missing = (_attempt: number, input: Record<string, unknown>) => {
    if (input.datasetUri === '/missing.csv') throw fatal('The dataset /missing.csv does not exist (or is not a file).');
  };
  await withProject({ fail: { uploadDataset: missing } }, async ({ handle, name, calls }) => {
    await until(name, cyclesDone(1), 'cycle 1');
    await handle.executeUpdate(retrainUpdate, {
      args: [{ requestId: 'bad-data', reason: 'new data', source: 'cli', datasetUri: '/missing.csv' }],
    });
    await until(name, cyclesDone(2), 'cycle 2');
    await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'plain', reason: 'again', source: 'cli' }] });
    await until(name, cyclesDone(3), 'cycle 3');
    const history = await handle.query(historyQuery);
    expect(history.map((r) => r.outcome)).toEqual(['deployed', 'failed', 'deployed']);
    const uploads = calls.filter((c) => c.name === 'uploadDataset').map((c) => c.input.datasetUri);
    expect(uploads).toEqual(['data/x.csv', '/missing.csv', 'data/x.csv']);
  });
});

test('a malformed retrain update is rejected with the field at fault and changes nothing', async () => {
  await withProject({}, async ({ handle, name }) => {
    await until(name, cyclesDone(1), 'cycle 1');
    await expect(
      handle.executeUpdate(retrainUpdate, {
        args: [{ requestId: '', reason: 'x', source: 'cli', overrides: { championMargin: -1 } } as never],
      }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/requestId[\s\S]*overrides\.championMargin/) } });
    expect((await handle.query(statusQuery)).triggersRecorded).toBe(1);
  });
});

test('continue-as-new keeps history bounded and carries state and pending triggers', async () => {
  const held = gate();
  let waits = 0;
  const hold = { waitForAutoML: () => (++waits === 4 ? held.wait() : Promise.resolve()) };
  await withProject(
    { hold },
    async ({ handle, name }) => {
      for (let c = 2; c <= 4; c++) {
        await until(name, cyclesDone(c - 1), `cycle ${c - 1}`);
        await handle.executeUpdate(retrainUpdate, { args: [{ requestId: `r${c}`, reason: 'x', source: 'cli' }] });
      }
      await until(name, (s) => s.cycle === 4 && s.step === 'waitForAutoML', 'cycle 4 held');
      for (let i = 0; i < 5; i++)
        await handle.signal(retrainSignal, { requestId: `late-${i}`, reason: 'late', source: 'webhook' });
      held.open();
      const status = await until(name, cyclesDone(5), 'cycle 5 after continue-as-new', 60000);
      expect(status.continuedAsNew).toBeGreaterThanOrEqual(1);
      expect(status.triggersRecorded).toBe(9);
      const history = await handle.query(historyQuery);
      expect(history.map((h) => h.cycle)).toEqual([1, 2, 3, 4, 5]);
      expect(history[4].triggers).toEqual(['late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
      expect(status.champion?.cycle).toBe(5);
      const { runId } = await handle.describe();
      expect(runId).not.toBe(handle.firstExecutionRunId);
      // ~18 project events per cycle (cycle progress is the cycle's own): the 4th cycle ends past 60, with triggers
      // pending.
    },
    { maxHistoryEvents: 60 },
  );
});

test('recorded histories replay without non-determinism', async () => {
  // Cycle 2 fails its smoke test; cycle 3 loses on the test slice (champion kept, its deployment removed).
  const script: FakeScript = { smokePasses: (c) => c !== 2, sliceMetric: (c) => (c === 3 ? 0.5 : 0.9 + c / 100) };
  await withProject(script, async ({ handle, name }) => {
    await until(name, cyclesDone(1), 'cycle 1');
    await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'r2', reason: 'x', source: 'cli' }] });
    await until(name, cyclesDone(2), 'cycle 2');
    await handle.executeUpdate(retrainUpdate, { args: [{ requestId: 'r3', reason: 'x', source: 'cli' }] });
    await until(name, cyclesDone(3), 'cycle 3');
    expect((await handle.query(historyQuery)).map((h) => h.outcome)).toEqual([
      'deployed',
      'rolled-back',
      'kept-champion',
    ]);
    const histories = [
      await handle.fetchHistory(),
      await env.client.workflow.getHandle(`${handle.workflowId}-cycle-1`).fetchHistory(),
      await env.client.workflow.getHandle(`${handle.workflowId}-cycle-2`).fetchHistory(),
      await env.client.workflow.getHandle(`${handle.workflowId}-cycle-3`).fetchHistory(),
    ];
    for (const history of histories) {
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history)).resolves.toBeUndefined();
    }
  });
});

describe('input compatibility gate', () => {
  const retrain = (handle: Project['handle'], id: string) =>
    handle.executeUpdate(retrainUpdate, { args: [{ requestId: id, reason: 'new data', source: 'cli' }] });

  test('a compatible challenger is checked against the champion before its evaluation, and deploys', async () => {
    await withProject(
      {},
      async ({ handle, calls, name }) => {
        await until(name, cyclesDone(1), 'cycle 1');
        // A first cycle has no champion to compare with.
        expect(calls.some((c) => c.name === 'checkCompatibility')).toBe(false);
        expect(calls.find((c) => c.name === 'deployModel')?.input.optionalColumns).toEqual(['score_hint']);
        await retrain(handle, 'r2');
        const status = await until(name, cyclesDone(2), 'cycle 2');
        const record = (await handle.query(historyQuery))[1];
        expect(record.outcome).toBe('deployed');
        expect(record.compatibility).toMatchObject({ compatible: true, liveRequests: 40 });
        const check = calls.find((c) => c.name === 'checkCompatibility');
        expect(check?.input).toEqual({
          endpointName: `${name}-ep`,
          championDeployment: 'cycle-1',
          challengerDeployment: 'cycle-2',
        });
        const steps = record.steps.map((s) => s.step);
        // Checked first, so the evaluation sends each model only what it can take; then the smoke test.
        expect(steps.indexOf('checkCompatibility')).toBe(steps.indexOf('evaluateModels') - 1);
        expect(steps.indexOf('evaluateModels')).toBe(steps.indexOf('smokeTest') - 1);
        expect(status.champion?.cycle).toBe(2);
      },
      { settings: settings({ optionalColumns: ['score_hint'] }) },
    );
  });

  test('an incompatible challenger is blocked: removed before any traffic moves, with the columns and counts', async () => {
    await withProject({ incompatible: (c) => c === 2 }, async ({ handle, calls, name }) => {
      await until(name, cyclesDone(1), 'cycle 1');
      await retrain(handle, 'r2');
      const status = await until(name, cyclesDone(2), 'cycle 2');
      const record = (await handle.query(historyQuery))[1];
      expect(record.outcome).toBe('blocked');
      expect(record.reason).toBe(
        "input compatibility: the challenger requires column 'score_hint', which 40 of 40 recent live requests lack;" +
          ' traffic stays on the champion',
      );
      expect(record.compatibility?.findings).toEqual([
        { kind: 'missing-column', column: 'score_hint', liveRequestsLacking: 40, of: 40 },
      ]);
      expect(calls.find((c) => c.name === 'rollbackDeployment')?.input).toMatchObject({
        failedDeployment: 'cycle-2',
        previousDeployment: 'cycle-1',
      });
      // Nothing was sent to the blocked challenger and no traffic moved.
      expect(calls.filter((c) => c.name === 'smokeTest')).toHaveLength(1);
      expect(calls.filter((c) => c.name === 'switchTraffic')).toHaveLength(1);
      expect(status.champion?.cycle).toBe(1);
      expect(status.lastError).toBeUndefined();
    });
  });

  test('with requireApproval an incompatible challenger waits at the gate, the reason in status', async () => {
    await withProject(
      { incompatible: (c) => c === 2 },
      async ({ handle, calls, name }) => {
        const first = await until(name, (s) => s.state === 'awaiting-approval', 'approval wait 1');
        expect(first.approvalReason).toBeUndefined();
        await env.client.workflow
          .getHandle(cycleWorkflowId(name, 1))
          .executeUpdate(approvalUpdate, { args: [{ cycle: 1, approved: true }] });
        await until(name, cyclesDone(1), 'cycle 1');

        await retrain(handle, 'r2');
        const waiting = await until(name, (s) => s.state === 'awaiting-approval' && s.cycle === 2, 'approval wait 2');
        expect(waiting.approvalReason).toMatch(/^input compatibility: .*'score_hint', which 40 of 40 recent live/);
        expect(calls.some((c) => c.name === 'rollbackDeployment')).toBe(false);
        await env.client.workflow
          .getHandle(cycleWorkflowId(name, 2))
          .executeUpdate(approvalUpdate, { args: [{ cycle: 2, approved: true, by: 'ana' }] });
        const status = await until(name, cyclesDone(2), 'cycle 2');
        const record = (await handle.query(historyQuery))[1];
        expect(record.outcome).toBe('deployed');
        expect(record.compatibility?.compatible).toBe(false);
        expect(status.champion?.cycle).toBe(2);
      },
      { settings: settings({ requireApproval: true }) },
    );
  });
});

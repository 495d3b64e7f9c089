// The progressive rollout's decisions and controls: a cycle with a serving champion, on a real Temporal dev server,
// with scripted activities (each live check's verdict is scripted; the math is src/monitoring's, tested apart).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { retrainingCycle } from '../../src/workflows';
import {
  cycleStatusQuery,
  cycleWorkflowId,
  DEFAULT_SETTINGS,
  rolloutAbortUpdate,
  rolloutPauseUpdate,
  rolloutPromoteUpdate,
  rolloutResumeUpdate,
  STEP,
  type CycleRecord,
  type CycleSettings,
  type CycleStatus,
  type LiveCheck,
  type RolloutSettings,
} from '../../src/contract';
import { bundleWorkflows, startTestServer } from '../helpers/temporal';
import { fakeActivities, gate, healthyCheck, type Call, type FakeScript } from '../helpers/fake-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
}, 120000);
afterAll(async () => {
  await env?.teardown();
});

const FAST: RolloutSettings = { ...DEFAULT_SETTINGS.rollout, bake: '300ms', watch: '300ms', checkEvery: '100ms' };
const champion = {
  cycle: 1,
  model: { name: 'm', version: '1', primaryMetric: 'AUC_weighted' as const, metricValue: 0.9 },
  deployment: { endpointName: 'p-ep', deploymentName: 'cycle-1', scoringUri: 'https://127.0.0.1/p-ep/score' },
};

interface Cycle {
  handle: WorkflowHandle<typeof retrainingCycle>;
  calls: Call[];
}

/** Runs cycle 2 of a fresh project whose cycle 1 serves, with a worker following `script`. */
async function withCycle(
  script: FakeScript,
  body: (c: Cycle) => Promise<void>,
  rollout: RolloutSettings = FAST,
): Promise<void> {
  const taskQueue = `rollout-${randomUUID()}`;
  const project = `r${randomUUID().slice(0, 8)}`;
  const { activities, calls } = fakeActivities(script);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  const settings: CycleSettings = { ...DEFAULT_SETTINGS, rollout };
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(retrainingCycle, {
      taskQueue,
      workflowId: cycleWorkflowId(project, 2),
      args: [{ project, cycle: 2, datasetUri: 'data/x.csv', settings, champion, triggers: ['t'] }],
    });
    try {
      await body({ handle, calls });
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  });
}

async function until(handle: Cycle['handle'], ok: (s: CycleStatus) => boolean, what: string): Promise<CycleStatus> {
  let last: CycleStatus | undefined;
  for (let i = 0; i < 300; i++) {
    last = await handle.query(cycleStatusQuery);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

const splits = (calls: Call[]) =>
  calls.filter((c) => c.name === 'setTraffic').map((c) => [c.input.traffic, c.input.mirrorTraffic]);
const breachAt =
  (stage: string, metric = 'serverErrorRate') =>
  (i: Record<string, unknown>) =>
    i.stage === stage
      ? {
          verdict: 'breach' as const,
          breaches: [{ metric, value: 0.25, threshold: 0.01, deployment: 'cycle-2' }],
        }
      : {};
const refusal = (message: RegExp) => ({ cause: { message: expect.stringMatching(message) } });

test('a healthy deployment goes through shadow, canary 10% and 50%, and full, then becomes the champion', async () => {
  await withCycle({}, async ({ handle, calls }) => {
    const record = await handle.result();
    expect(record.outcome).toBe('deployed');
    expect(splits(calls)).toEqual([
      [{ 'cycle-1': 100, 'cycle-2': 0 }, { 'cycle-2': 20 }],
      [{ 'cycle-1': 90, 'cycle-2': 10 }, {}],
      [{ 'cycle-1': 50, 'cycle-2': 50 }, {}],
      [{ 'cycle-1': 0, 'cycle-2': 100 }, {}],
    ]);
    expect(record.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['rollout:shadow', 'rollout:canary-10', 'rollout:canary-50', 'rollout:full']),
    );
    expect(record.steps.some((s) => s.step === 'switchTraffic' || s.step === 'rollbackDeployment')).toBe(false);
    expect(record.rollout?.outcome).toBe('completed');
    // Every step is judged by its own checks (a 300 ms bake checked every 100 ms, each check a round trip).
    for (const stage of record.rollout?.stages ?? []) {
      expect(stage.checks).toBeGreaterThanOrEqual(1);
      expect(stage.lastCheck?.verdict).toBe('pass');
    }
    expect(calls.some((c) => c.name === 'rollbackDeployment')).toBe(false);
    expect(calls.filter((c) => c.name === 'checkRollout')[0]?.input).toMatchObject({
      champion: 'cycle-1',
      challenger: 'cycle-2',
      thresholds: FAST.thresholds,
    });
  });
});

test('a breach at shadow rolls back before any live traffic moves, with the evidence', async () => {
  await withCycle({ check: breachAt('shadow') }, async ({ handle, calls }) => {
    const record = await handle.result();
    expect(record.outcome).toBe('rolled-back');
    expect(record.reason).toMatch(/rolled back at shadow: cycle-2 serverErrorRate 0\.25 > 0\.01 over 100 requests/);
    expect(record.reason).toContain('all traffic is back on cycle-1');
    expect(splits(calls)).toHaveLength(1);
    expect(calls.find((c) => c.name === 'rollbackDeployment')?.input).toMatchObject({
      failedDeployment: 'cycle-2',
      previousDeployment: 'cycle-1',
    });
    expect(record.rollout?.evidence).toMatchObject({ stage: 'shadow', verdict: 'breach' });
    expect(calls.some((c) => c.name === 'publishPipeline')).toBe(false);
  });
});

test('a breach at canary puts 100% back on the champion at once', async () => {
  await withCycle({ check: breachAt('canary-50', 'clientErrorRate') }, async ({ handle, calls }) => {
    const record = await handle.result();
    expect(record.outcome).toBe('rolled-back');
    expect(record.reason).toMatch(/rolled back at canary-50: cycle-2 clientErrorRate/);
    expect(splits(calls).map(([t]) => t)).toEqual([
      { 'cycle-1': 100, 'cycle-2': 0 },
      { 'cycle-1': 90, 'cycle-2': 10 },
      { 'cycle-1': 50, 'cycle-2': 50 },
    ]);
    const names = calls.map((c) => c.name);
    // The breaching check is followed directly by the rollback: no further traffic change, no more checks.
    expect(names.slice(names.lastIndexOf('checkRollout') + 1)).toEqual(['rollbackDeployment']);
    const status = await handle.query(cycleStatusQuery);
    expect(status.rollout).toMatchObject({ state: 'rolled-back', traffic: { 'cycle-1': 100 }, mirrorTraffic: {} });
    expect(status.rollout?.evidence?.breaches[0]).toMatchObject({ metric: 'clientErrorRate', deployment: 'cycle-2' });
  });
});

test('thin live traffic: synthetic requests stand in, and the record says so', async () => {
  const thin = (i: Record<string, unknown>): Partial<LiveCheck> => ({
    deployments: healthyCheck(i).deployments.map((d) => ({ ...d, requests: 20, synthetic: 15 })),
  });
  await withCycle({ check: thin }, async ({ handle, calls }) => {
    const record = await handle.result();
    expect(record.outcome).toBe('deployed');
    const checks = calls.filter((c) => c.name === 'checkRollout').length;
    expect(record.rollout?.syntheticRequests).toBe(checks * 30);
    expect(record.rollout?.reason).toMatch(/\d+ synthetic requests stood in for thin live traffic/);
  });
});

test('a step that cannot be judged by the end of its bake rolls back rather than guess', async () => {
  const unjudged = () => ({ verdict: 'insufficient-data' as const, reason: "deployment 'cycle-2' served 3 requests" });
  await withCycle({ check: unjudged }, async ({ handle }) => {
    const record = await handle.result();
    expect(record.outcome).toBe('rolled-back');
    expect(record.reason).toContain("rolled back at shadow: could not be judged: deployment 'cycle-2' served 3");
  });
});

test('pause holds the step (checks go on), resume finishes it; the step shows in status and the Web UI', async () => {
  const slow = { ...FAST, bake: '1500ms', watch: '300ms', checkEvery: '200ms' };
  await withCycle(
    {},
    async ({ handle, calls }) => {
      await expect(handle.executeUpdate(rolloutResumeUpdate, { args: [{}] })).rejects.toMatchObject(
        refusal(/No rollout is running in cycle 2/),
      );
      await until(handle, (s) => s.rollout?.stage === 'canary-10', 'canary-10');
      const paused = await handle.executeUpdate(rolloutPauseUpdate, { args: [{ by: 'ana', reason: 'look first' }] });
      expect(paused.state).toBe('paused');
      expect(paused.nextStepAt).toBeUndefined();
      await expect(handle.executeUpdate(rolloutPauseUpdate, { args: [{}] })).rejects.toMatchObject(
        refusal(/already paused/),
      );
      const checksBefore = calls.filter((c) => c.name === 'checkRollout').length;
      await new Promise((r) => setTimeout(r, 2000)); // longer than the whole bake
      const held = await handle.query(cycleStatusQuery);
      expect(held.rollout).toMatchObject({ state: 'paused', stage: 'canary-10', traffic: { 'cycle-2': 10 } });
      expect(calls.filter((c) => c.name === 'checkRollout').length).toBeGreaterThan(checksBefore);
      expect((await handle.describe()).typedSearchAttributes.get(STEP)).toBe('rollout:canary-10');

      const resumed = await handle.executeUpdate(rolloutResumeUpdate, { args: [{ by: 'ana' }] });
      expect(resumed.state).toBe('running');
      expect(Date.parse(resumed.nextStepAt ?? '')).toBeGreaterThan(Date.now() - 5000);
      const record = await handle.result();
      expect(record.outcome).toBe('deployed');
      expect(record.rollout?.controls.map((c) => c.action)).toEqual(['pause', 'resume']);
      expect(record.rollout?.controls[0]).toMatchObject({ by: 'ana', reason: 'look first' });
    },
    slow,
  );
});

test('promote skips the remaining steps to full traffic; promote at full is refused', async () => {
  const slow = { ...FAST, bake: '20s', watch: '1500ms', checkEvery: '200ms' };
  await withCycle(
    {},
    async ({ handle, calls }) => {
      await until(handle, (s) => s.rollout?.stage === 'shadow', 'shadow');
      await handle.executeUpdate(rolloutPromoteUpdate, { args: [{ by: 'ana' }] });
      await until(handle, (s) => s.rollout?.stage === 'full', 'full');
      await expect(handle.executeUpdate(rolloutPromoteUpdate, { args: [{}] })).rejects.toMatchObject(
        refusal(/already at full traffic/),
      );
      const record: CycleRecord = await handle.result();
      expect(record.outcome).toBe('deployed');
      expect(splits(calls).map(([t]) => t)).toEqual([
        { 'cycle-1': 100, 'cycle-2': 0 },
        { 'cycle-1': 0, 'cycle-2': 100 },
      ]);
      expect(record.rollout?.stages.map((s) => s.stage)).toEqual(['shadow', 'full']);
    },
    slow,
  );
});

test('abort rolls back now, and names who asked', async () => {
  const slow = { ...FAST, bake: '3s', checkEvery: '200ms' };
  await withCycle(
    {},
    async ({ handle, calls }) => {
      await until(handle, (s) => s.rollout?.stage === 'canary-10', 'canary-10');
      const status = await handle.executeUpdate(rolloutAbortUpdate, { args: [{ by: 'ben', reason: 'odd answers' }] });
      expect(status.controls.map((c) => c.action)).toContain('abort');
      const record = await handle.result();
      expect(record.outcome).toBe('rolled-back');
      expect(record.reason).toBe('rollout aborted at canary-10 by ben: odd answers; all traffic is back on cycle-1');
      expect(calls.find((c) => c.name === 'rollbackDeployment')?.input).toMatchObject({
        previousDeployment: 'cycle-1',
      });
      await expect(handle.executeUpdate(rolloutAbortUpdate, { args: [{}] })).rejects.toThrow();
    },
    slow,
  );
});

test('controls sent while a check is in flight take effect when it answers, at the same step', async () => {
  const inFlight = gate();
  let held = false;
  const hold = { checkRollout: () => (held ? Promise.resolve() : ((held = true), inFlight.wait())) };
  await withCycle({ hold }, async ({ handle, calls }) => {
    await until(
      handle,
      (s) => s.rollout?.stage === 'shadow' && calls.some((c) => c.name === 'checkRollout'),
      'a check',
    );
    await handle.executeUpdate(rolloutPauseUpdate, { args: [{}] });
    await handle.executeUpdate(rolloutResumeUpdate, { args: [{}] });
    await handle.executeUpdate(rolloutAbortUpdate, { args: [{ by: 'ben' }] });
    inFlight.open();
    const record = await handle.result();
    expect(record.reason).toBe('rollout aborted at shadow by ben; all traffic is back on cycle-1');
    expect(splits(calls)).toHaveLength(1);
  });
});

test('rollout histories replay without non-determinism', async () => {
  const slow = { ...FAST, bake: '20s', checkEvery: '200ms' };
  await withCycle(
    {},
    async ({ handle }) => {
      await until(handle, (s) => s.rollout?.stage === 'shadow', 'shadow');
      await handle.executeUpdate(rolloutPauseUpdate, { args: [{}] });
      await handle.executeUpdate(rolloutResumeUpdate, { args: [{}] });
      await handle.executeUpdate(rolloutPromoteUpdate, { args: [{}] });
      await handle.result();
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory()),
      ).resolves.toBeUndefined();
    },
    slow,
  );
  await withCycle({ check: breachAt('canary-10') }, async ({ handle }) => {
    await handle.result();
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory()),
    ).resolves.toBeUndefined();
  });
});

// SLOW. Safe rollout measured on the real system (issue #11): one project on a real dev server, local workspace,
// scoring processes and worker process, retrained under a steady load of 50 client requests/s. Every case is one
// cycle of the same project (short bakes), so the suite trains one champion and pays for each case once.
import { join } from 'node:path';
import { LOCAL_ROLLOUT, type CycleRecord } from '../../src/contract';
import { fastSettings } from './helpers';
import {
  clientBodies,
  demoPools,
  EXTRA_COLUMN,
  sample,
  withLabelNoise,
  withoutDuration,
  withScoreHint,
  writeCsv,
  type DemoPools,
} from './rollout-data';
import { startRolloutRig, type RolloutRig } from './rollout-rig';
import { noRepeatedSplit, rollbackFigures, runCycle, type CycleRun } from './rollout-scenarios';

const project = 'rollout';
// Short bakes: a deploying cycle's rollout takes about 20 s instead of the local defaults' 40 s.
const settings = fastSettings({
  rollout: { ...LOCAL_ROLLOUT, bake: '5 seconds', watch: '5 seconds', checkEvery: '2 seconds' },
});
let rig: RolloutRig;
let pools: DemoPools;
let bodies: string[];

beforeAll(async () => {
  pools = demoPools();
  bodies = clientBodies(pools);
  rig = await startRolloutRig('e2e-rollout', 'e2e-rollout');
  // The champion: `duration` shuffled, so a model trained with it is clearly better on the same rows (0.80 vs 0.93).
  const weak = writeCsv(join(rig.dir, 'weak.csv'), pools.columns, withoutDuration(pools, sample(pools, 4000, 1), 5));
  const first = await rig.startProject(project, weak, settings);
  expect(first.outcome).toBe('deployed');
}, 240_000);

afterAll(async () => {
  await rig?.stop();
}, 60_000);

const clean = () => writeCsv(join(rig.dir, 'clean.csv'), pools.columns, sample(pools, 4000, 2));

test('bad deployment: 5xx at the canary step is rolled back within 10 s, clients losing at most the canary share', async () => {
  const run = await runCycle(rig, project, clean(), bodies, { faultOnLiveTraffic: { status: 500, rate: 0.5 } });
  const figures = rollbackFigures(run, false);
  expect({ outcome: run.record.outcome, rolledBack: figures.rolledBack, share: figures.canarySharePercent }).toEqual({
    outcome: 'rolled-back',
    rolledBack: true,
    share: LOCAL_ROLLOUT.canarySteps[0],
  });
  expect(figures.breachToRollbackS).toBeLessThanOrEqual(10);
  expect(figures.clientErrors).toBeGreaterThan(0); // the fault did reach clients, so the bound means something
  expect(figures.clientErrors).toBeLessThanOrEqual(figures.errorBound ?? 0);
  expect(run.record.rollout?.evidence?.breaches.map((b) => b.metric)).toContain('serverErrorRate');
  expect(run.load.slow).toBe(0);
}, 300_000);

test('breaking retrain: a model that needs a column clients do not send is blocked before any traffic moves', async () => {
  const hinted = withScoreHint(pools, sample(pools, 4000, 2), 5);
  const file = writeCsv(join(rig.dir, 'score-hint.csv'), hinted.columns, hinted.rows);
  const run = await runCycle(rig, project, file, bodies);
  expect({ outcome: run.record.outcome, failed: run.load.failed }).toEqual({ outcome: 'blocked', failed: 0 });
  expect(run.traffic).toHaveLength(1); // the champion kept all traffic throughout
  const missing = run.record.compatibility?.findings.find((f) => f.kind === 'missing-column');
  expect(missing).toMatchObject({ column: EXTRA_COLUMN });
  // The reason counts the live requests (this load's) that lack the column.
  expect(missing && 'liveRequestsLacking' in missing ? missing.liveRequestsLacking : 0).toBeGreaterThan(0);
  expect(run.record.reason).toContain(EXTRA_COLUMN);
}, 300_000);

// One cycle serves three cases: harder data that deploys on the fair gate, under load (zero downtime), with the
// worker SIGKILLed during the first canary bake (crash).
let harder: CycleRun | undefined;
let harderRows: string[][] = [];
let killedAt: number | undefined;

test('fair gate: harder data whose model scores below the champion on paper, but better on the test slice, deploys', async () => {
  // 10% of labels flipped: the new model's own validation metric falls below the champion's stored one.
  harderRows = sample(pools, 12000, 4);
  const noisy = withLabelNoise(harderRows, 0.1, 9);
  const file = writeCsv(join(rig.dir, 'harder.csv'), pools.columns, noisy);
  let restarting: Promise<void> | undefined;
  harder = await runCycle(rig, project, file, bodies, {
    onCanary: () => {
      restarting = new Promise((r) => setTimeout(r, 1000)).then(() =>
        rig.restartWorker({ killed: () => (killedAt = Date.now()) }),
      );
    },
  });
  await restarting;
  const r: CycleRecord = harder.record;
  expect(r.championBefore?.metricValue).toBeGreaterThan(r.model?.metricValue ?? Infinity);
  expect(r.evaluation?.challenger.metric).toBeGreaterThan(r.evaluation?.champion?.metric ?? Infinity);
  expect(r.outcome).toBe('deployed');
}, 300_000);

test('zero downtime: that whole cycle failed no client request and answered each within 1 s', () => {
  expect(harder).toBeDefined(); // needs the cycle above
  const run = harder as CycleRun;
  expect(run.load.sent).toBeGreaterThan(1000); // a whole cycle under load, not a few requests
  expect({ failed: run.load.failed, slow: run.load.slow, byStep: run.troubleByStep }).toEqual({
    failed: 0,
    slow: 0,
    byStep: {},
  });
  expect(run.traffic[run.traffic.length - 1].traffic[`cycle-${run.cycle}`]).toBe(100);
});

test('crash: a worker SIGKILLed during a bake leaves the rollout to go on from where it was, with no extra traffic change', () => {
  expect(harder).toBeDefined(); // needs the cycle above
  const run = harder as CycleRun;
  expect(killedAt).toBeDefined();
  // shadow, canary 10, canary 50, full: each split once, in order, and one endpoint PUT for each change.
  const stages = run.record.rollout?.stages.map((s) => s.stage);
  expect(stages).toEqual(['shadow', ...LOCAL_ROLLOUT.canarySteps.map((s) => `canary-${s}`), 'full']);
  expect(noRepeatedSplit(run.traffic)).toBe(true);
  expect(run.traffic).toHaveLength(stages?.length ? stages.length + 1 : 0);
  expect(run.endpointPuts).toBe(run.traffic.length - 1);
  // The kill landed inside the first canary bake: that step was still running then.
  const canary = run.record.rollout?.stages[1];
  expect(Date.parse(canary?.startedAt ?? '')).toBeLessThan(killedAt as number);
  expect(Date.parse(canary?.endedAt ?? '')).toBeGreaterThan(killedAt as number);
});

test('fair gate, reverse: easier data whose model scores above the champion on paper, but worse on the slice, keeps it', async () => {
  // A small training share and one AutoML trial make the weaker model; a large slice makes the comparison sharp.
  // None of its rows were seen by the champion (trained on the harder data).
  const file = writeCsv(join(rig.dir, 'reverse.csv'), pools.columns, sample(pools, 4000, 3, harderRows));
  const run = await runCycle(rig, project, file, bodies, { overrides: { automl: { maxTrials: 1 }, testShare: 0.8 } });
  const r = run.record;
  expect(r.model?.metricValue).toBeGreaterThan(r.championBefore?.metricValue ?? Infinity);
  expect(r.evaluation?.champion?.metric).toBeGreaterThan(r.evaluation?.challenger.metric ?? Infinity);
  expect({ outcome: r.outcome, failed: run.load.failed, trafficChanges: run.traffic.length - 1 }).toEqual({
    outcome: 'kept-champion',
    failed: 0,
    trafficChanges: 0,
  });
}, 300_000);

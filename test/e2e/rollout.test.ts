// SLOW. Safe rollout measured on the real system (issue #11): one project on a real dev server, local workspace,
// scoring processes and worker process, retrained under a steady load of 50 client requests/s. Every case is one
// cycle of the same project, so the suite trains one champion and pays for each case once.
import { join } from 'node:path';
import {
  clientBodies,
  demoPools,
  EXTRA_COLUMN,
  sample,
  withoutDuration,
  withScoreHint,
  writeCsv,
  type DemoPools,
} from './rollout-data';
import { startRolloutRig, type RolloutRig } from './rollout-rig';
import { runCycle } from './rollout-scenarios';
import { fastSettings } from './helpers';

const project = 'rollout';
let rig: RolloutRig;
let pools: DemoPools;
let bodies: string[];

beforeAll(async () => {
  pools = demoPools();
  bodies = clientBodies(pools);
  rig = await startRolloutRig('e2e-rollout', 'e2e-rollout');
  // The champion: 4,000 rows with `duration` shuffled, so a model trained with it is clearly better (0.80 vs 0.93).
  const weak = writeCsv(join(rig.dir, 'weak.csv'), pools.columns, withoutDuration(pools, sample(pools, 4000, 1), 5));
  const first = await rig.startProject(project, weak, fastSettings());
  expect(first.outcome).toBe('deployed');
}, 240_000);

afterAll(async () => {
  await rig?.stop();
}, 60_000);

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

test('zero downtime: a cycle that deploys a better model fails no client request and answers each within 1 s', async () => {
  const clean = writeCsv(join(rig.dir, 'clean.csv'), pools.columns, sample(pools, 4000, 2));
  const run = await runCycle(rig, project, clean, bodies);
  expect(run.record.outcome).toBe('deployed');
  expect(run.load.sent).toBeGreaterThan(500); // a whole cycle under load, not a few requests
  expect({ failed: run.load.failed, slow: run.load.slow, byStep: run.troubleByStep }).toEqual({
    failed: 0,
    slow: 0,
    byStep: {},
  });
  // All traffic ends on the new deployment.
  expect(run.traffic[run.traffic.length - 1].traffic[`cycle-${run.cycle}`]).toBe(100);
}, 300_000);

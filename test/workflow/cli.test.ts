// The `amlops` command, run as users run it (a subprocess), against a real Temporal dev server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { startProjectWorkflow } from '../../src/starters/run-project';
import { statusQuery, triggersQuery, projectWorkflowId } from '../../src/contract';
import { liveStatus } from '../../src/starters/live-status';
import { bundleWorkflows, startTestServer } from '../helpers/temporal';
import { fakeActivities, gate } from '../helpers/fake-activities';

const BIN = resolve(__dirname, '../../../bin/amlops.js');
const TASK_QUEUE = 'amlops-cli-test';
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let worker: Worker;
let workerRun: Promise<void>;
const held = gate();
// The rollout test holds its cycle's live checks, so the rollout is seen and steered mid-step.
const checksHeld = gate();
let holdChecks = false;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function amlops(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { ...process.env, TEMPORAL_ADDRESS: env.address, AMLOPS_TASK_QUEUE: TASK_QUEUE, ...extraEnv },
        timeout: 30000,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  let approvals = 0;
  // Cycle 2 is held at smokeTest so approval and status can be seen mid-cycle.
  const { activities } = fakeActivities({
    hold: {
      smokeTest: () => (++approvals === 2 ? held.wait() : Promise.resolve()),
      checkRollout: () => (holdChecks ? checksHeld.wait() : Promise.resolve()),
    },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities,
  });
  workerRun = worker.run();
}, 120000);

afterAll(async () => {
  held.open();
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
});

const projectEnv = (project: string) => ({ AMLOPS_PROJECT: project });

async function startProject(project: string, requireApproval = false) {
  const config = loadConfig({
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    AMLOPS_TASK_QUEUE: TASK_QUEUE,
    AMLOPS_PROJECT: project,
    AMLOPS_REQUIRE_APPROVAL: String(requireApproval),
    // Cycle 2 rolls out beside cycle 1: short bakes.
    AMLOPS_ROLLOUT_BAKE: '200ms',
    AMLOPS_ROLLOUT_WATCH: '200ms',
    AMLOPS_ROLLOUT_CHECK_EVERY: '100ms',
  });
  await startProjectWorkflow(env.client, config);
  const handle = env.client.workflow.getHandle(projectWorkflowId(project));
  for (let i = 0; i < 400; i++) {
    const s = await liveStatus(env.client, project);
    if ((s.cyclesCompleted >= 1 && s.state === 'idle') || s.state === 'awaiting-approval') return handle;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('cycle 1 did not finish');
}

test('status, retrain, history and triggers', async () => {
  const handle = await startProject('clitest');
  const status = await amlops(['status', '--json'], projectEnv('clitest'));
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ project: 'clitest', state: 'idle', cyclesCompleted: 1 });

  const text = await amlops(['status'], projectEnv('clitest'));
  expect(text.stdout).toMatch(/champion\s+clitest-model:1 AUC_weighted 0\.9100/);

  const retrain = await amlops(
    ['retrain', '--reason', 'new labels', '--request-id', 'cli-1', '--data', 'data/v2.csv'],
    projectEnv('clitest'),
  );
  expect(retrain.stdout).toContain('Cycle 2 started');
  const again = await amlops(['retrain', '--request-id', 'cli-1'], projectEnv('clitest'));
  expect(again.stdout).toContain('already requested');
  const triggers = await handle.query(triggersQuery);
  expect(triggers.map((t) => t.requestId)).toContain('cli-1');
  expect(triggers.find((t) => t.requestId === 'cli-1')?.datasetUri).toBe(resolve('data/v2.csv'));

  held.open();
  for (let i = 0; i < 200 && (await handle.query(statusQuery)).cyclesCompleted < 2; i++)
    await new Promise((r) => setTimeout(r, 50));
  const history = await amlops(['history'], projectEnv('clitest'));
  expect(history.stdout.split('\n')[0]).toMatch(/^cycle\s+outcome\s+model/);
  expect(history.stdout).toMatch(/\n2\s+deployed\s+clitest-model:2/);
  const listed = await amlops(['triggers', '--json'], projectEnv('clitest'));
  expect(JSON.parse(listed.stdout).map((t: { source: string }) => t.source)).toEqual(['start', 'cli']);
});

test('schedules: create, list, fire a retrain, delete', async () => {
  const handle = await startProject('schedtest');
  const created = await amlops(['schedule', 'create', '--every', '2s'], projectEnv('schedtest'));
  expect(created.stdout).toContain('Created schedule amlops-schedtest-retrain (every 2s)');
  const dup = await amlops(['schedule', 'create', '--every', '2s'], projectEnv('schedtest'));
  expect(dup.code).toBe(1);
  expect(dup.stderr).toContain('already exists');
  const list = await amlops(['schedule', 'list'], projectEnv('schedtest'));
  expect(list.stdout).toMatch(/amlops-schedtest-retrain\s+every 2s/);

  let fromSchedule = 0;
  for (let i = 0; i < 100 && fromSchedule === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    fromSchedule = (await handle.query(triggersQuery)).filter((t) => t.source === 'schedule').length;
  }
  expect(fromSchedule).toBeGreaterThan(0);

  const deleted = await amlops(['schedule', 'delete'], projectEnv('schedtest'));
  expect(deleted.stdout).toContain('Deleted schedule amlops-schedtest-retrain');
  const gone = await amlops(['schedule', 'list'], projectEnv('schedtest'));
  expect(gone.stdout).toContain('No schedules for project schedtest');
});

test('approve goes to the waiting cycle, a wrong cycle is refused; cancel stops the project', async () => {
  const handle = await startProject('approvetest', true);
  expect((await liveStatus(env.client, 'approvetest')).state).toBe('awaiting-approval');
  const wrong = await amlops(['approve', '9'], projectEnv('approvetest'));
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain('Cycle 9 is not waiting for approval; cycle 1 is.');
  const ok = await amlops(['approve', '1', '--by', 'ana'], projectEnv('approvetest'));
  expect(ok.stdout).toContain('Cycle 1 approved');
  const cancel = await amlops(['cancel'], projectEnv('approvetest'));
  expect(cancel.code).toBe(0);
  await expect(handle.result()).rejects.toThrow();
});

test('rollout: status, pause, resume, abort, and the rollback in history', async () => {
  const handle = await startProject('rollouttest');
  const none = await amlops(['rollout'], projectEnv('rollouttest'));
  expect(none.code).toBe(1);
  expect(none.stderr).toContain('No rollout is running in project rollouttest: no cycle is running.');

  holdChecks = true;
  await amlops(['retrain', '--request-id', 'ro-1'], projectEnv('rollouttest'));
  for (let i = 0; i < 200 && (await liveStatus(env.client, 'rollouttest')).step !== 'rollout:shadow'; i++)
    await new Promise((r) => setTimeout(r, 50));
  const status = await amlops(['rollout', 'status'], projectEnv('rollouttest'));
  expect(status.code).toBe(0);
  expect(status.stdout).toContain('cycle     2: cycle-2 rolling out beside cycle-1');
  expect(status.stdout).toMatch(/state\s+running at shadow/);
  expect(status.stdout).toContain('traffic   cycle-1 100%, cycle-2 0%; mirror cycle-2 20%');
  expect(status.stdout).toMatch(/next step in \d+ s/);

  const paused = await amlops(['rollout', 'pause', '--by', 'ana'], projectEnv('rollouttest'));
  expect(paused.stdout).toContain('Rollout of cycle 2: pause accepted.');
  expect(paused.stdout).toMatch(/state\s+paused at shadow/);
  const shown = await amlops(['status'], projectEnv('rollouttest'));
  expect(shown.stdout).toContain('rollout   paused at shadow: cycle-1 100%, cycle-2 0%, mirror cycle-2 20%');
  expect((await amlops(['rollout', 'resume'], projectEnv('rollouttest'))).code).toBe(0);
  const again = await amlops(['rollout', 'resume'], projectEnv('rollouttest'));
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('The rollout of cycle 2 is not paused');

  const abort = await amlops(['rollout', 'abort', '-m', 'odd answers'], projectEnv('rollouttest'));
  expect(abort.stdout).toContain('abort accepted');
  holdChecks = false;
  checksHeld.open();
  for (let i = 0; i < 200 && (await handle.query(statusQuery)).cyclesCompleted < 2; i++)
    await new Promise((r) => setTimeout(r, 50));
  const history = await amlops(['history'], projectEnv('rollouttest'));
  expect(history.stdout).toMatch(/\n2\s+rolled-back\s+rollouttest-model:2 .*rollout aborted at shadow: odd answers/);
});

test('clear errors and exit codes for a missing project, a bad value and an unreachable server', async () => {
  const missing = await amlops(['status'], projectEnv('nosuchproject'));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('Project "nosuchproject" is not running');

  const bad = await amlops(['status'], { AMLOPS_PROJECT: 'Bad Name', TEMPORAL_NAMESPACE: '' });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('AMLOPS_PROJECT: must be 3-24 characters');

  const usage = await amlops(['approve', 'soon'], projectEnv('clitest'));
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('<cycle> must be a cycle number');

  const down = await amlops(['status'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(down.code).toBe(1);
  expect(down.stderr).toContain('Cannot reach the Temporal server at 127.0.0.1:1');
  expect(down.stderr).not.toMatch(/\n\s+at /); // no stack trace
});

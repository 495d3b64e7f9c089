// The progressive rollout of a new deployment beside the champion: shadow -> canary steps -> full + watch. Each step
// is one idempotent traffic change, then a bake (a durable timer) raced against periodic live checks; a breach, an
// abort, or a step that could not be judged puts all traffic back on the champion at once.
import { condition, proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import {
  durationMs,
  type Activities,
  type DeploymentRef,
  type LiveCheck,
  type RolloutRecord,
  type RolloutSettings,
  type RolloutStage,
} from '../contract';
import type { CycleProgress } from './cycle-progress';
import type { RolloutState } from './rollout-state';

const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 8 };
// A traffic change is one ARM PUT plus its operation: quick, retried (it is idempotent).
const traffic = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '15 seconds',
  retry,
});
// A check reads metrics and sends a probe; a check that keeps failing fails the cycle, which rolls back.
const checks = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { ...retry, maximumAttempts: 3 },
});

interface StagePlan {
  stage: RolloutStage;
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  bakeMs: number;
}

/** The steps a rollout goes through, from the settings: shadow (if a share), each canary share, full. */
export function planRollout(settings: RolloutSettings, champion: string, challenger: string): StagePlan[] {
  const bakeMs = durationMs(settings.bake);
  const plan: StagePlan[] = [];
  if (settings.shadowShare > 0) {
    const mirrorTraffic = { [challenger]: settings.shadowShare };
    plan.push({ stage: 'shadow', traffic: { [champion]: 100, [challenger]: 0 }, mirrorTraffic, bakeMs });
  }
  for (const share of settings.canarySteps) {
    const split = { [champion]: 100 - share, [challenger]: share };
    plan.push({ stage: `canary-${share}`, traffic: split, mirrorTraffic: {}, bakeMs });
  }
  const full = { [champion]: 0, [challenger]: 100 };
  plan.push({ stage: 'full', traffic: full, mirrorTraffic: {}, bakeMs: durationMs(settings.watch) });
  return plan;
}

export interface RolloutInput {
  progress: CycleProgress;
  state: RolloutState;
  champion: DeploymentRef;
  challenger: DeploymentRef;
  settings: RolloutSettings;
  /** Puts all traffic (and no mirror) on the champion and removes the new deployment: the cycle's rollback step. */
  rollback: () => Promise<unknown>;
}

type BakeEnd =
  | { kind: 'pass' }
  | { kind: 'promote' }
  | { kind: 'abort' }
  | { kind: 'breach'; check: LiveCheck }
  | { kind: 'unjudged'; check: LiveCheck };

export async function rollOut(input: RolloutInput): Promise<RolloutRecord> {
  const { progress, state, settings } = input;
  const champion = input.champion.deploymentName;
  const challenger = input.challenger.deploymentName;
  const { endpointName } = input.challenger;
  state.begin(champion, challenger);
  const plan = planRollout(settings, champion, challenger);

  for (let i = 0; i < plan.length; i++) {
    const stage = plan[i] as StagePlan;
    const end = await progress.step(`rollout:${stage.stage}`, async () => {
      state.enterStage(stage.stage, stage.traffic, stage.mirrorTraffic);
      await traffic.setTraffic({ endpointName, traffic: stage.traffic, mirrorTraffic: stage.mirrorTraffic });
      return bake(input, stage, endpointName);
    });
    state.endStage();
    if (end.kind === 'pass') continue;
    if (end.kind === 'promote') {
      i = plan.length - 2; // the loop's i++ lands on 'full'
      continue;
    }
    await input.rollback();
    const back = `all traffic is back on ${champion}`;
    if (end.kind === 'abort') {
      const by = state.abortRequested?.by;
      const why = state.abortRequested?.reason;
      const reason = `rollout aborted at ${stage.stage}${by ? ` by ${by}` : ''}${why ? `: ${why}` : ''}; ${back}`;
      return state.end('rolled-back', reason, { [champion]: 100 });
    }
    const what = end.kind === 'breach' ? describeBreach(end.check) : `could not be judged: ${end.check.reason}`;
    return state.end('rolled-back', `rolled back at ${stage.stage}: ${what}; ${back}`, { [champion]: 100 }, end.check);
  }
  const synthetic = state.status()?.syntheticRequests ?? 0;
  const note = synthetic > 0 ? ` (${synthetic} synthetic requests stood in for thin live traffic)` : '';
  return state.end('completed', `rolled out through ${plan.map((p) => p.stage).join(', ')}${note}`, {
    [challenger]: 100,
  });
}

/**
 * A step's bake: the clock runs from the traffic change (not while paused), a live check runs every checkEvery, and
 * the step passes when the bake is over and its last check passed. Controls wake the timer at once.
 */
async function bake(input: RolloutInput, stage: StagePlan, endpointName: string): Promise<BakeEnd> {
  const { state, settings } = input;
  const every = Math.max(100, durationMs(settings.checkEvery));
  const started = Date.now();
  let pausedMs = 0;
  const left = () => stage.bakeMs - (Date.now() - started - pausedMs);
  for (;;) {
    if (state.abortRequested) return { kind: 'abort' };
    if (state.promoteRequested && stage.stage !== 'full') return { kind: 'promote' };
    const paused = state.paused;
    state.setNextStepAt(paused ? undefined : Date.now() + Math.max(0, left()));
    const seen = state.controlVersion;
    const waitMs = paused ? every : Math.min(every, Math.max(0, left()));
    const t0 = Date.now();
    const woken = waitMs > 0 && (await condition(() => state.controlVersion !== seen, waitMs));
    if (paused) pausedMs += Date.now() - t0;
    if (woken) continue;

    const check = await checks.checkRollout({
      endpointName,
      stage: stage.stage,
      champion: input.champion.deploymentName,
      challenger: input.challenger.deploymentName,
      windowSeconds: Math.max(1, Math.ceil((Date.now() - started) / 1000)),
      probeRows: settings.probeRows,
      thresholds: settings.thresholds,
    });
    state.checked(check);
    if (check.verdict === 'breach') return { kind: 'breach', check };
    // A control that came while the check ran wins over the step's end.
    if (state.controlVersion !== seen) continue;
    if (left() <= 0 && !state.paused) return check.verdict === 'pass' ? { kind: 'pass' } : { kind: 'unjudged', check };
  }
}

/** "cycle-2 serverErrorRate 0.25 > 0.01, ... over 40 requests (20 synthetic)": the breach in one line. */
export function describeBreach(check: LiveCheck): string {
  const parts = check.breaches.map((b) => `${b.deployment} ${b.metric} ${round(b.value)} > ${round(b.threshold)}`);
  const judged = check.deployments.find((d) => d.role === 'challenger');
  const over = judged
    ? ` over ${judged.requests} requests${judged.synthetic ? ` (${judged.synthetic} synthetic)` : ''}`
    : '';
  return `${parts.join(', ')}${over}`;
}

const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)) : v);

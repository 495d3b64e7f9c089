// A cycle's rollout as its status query and its controls see it: stage, split, bake clock, checks, pause/promote/abort.
// rollout.ts runs the steps and reads the requests made here; the update handlers only record them.
import { setHandler } from '@temporalio/workflow';
import {
  noRolloutRunning,
  parseRolloutControl,
  rolloutAbortUpdate,
  rolloutPauseUpdate,
  rolloutPromoteUpdate,
  rolloutResumeUpdate,
  type LiveCheck,
  type RolloutAction,
  type RolloutControl,
  type RolloutRecord,
  type RolloutStage,
  type RolloutStatus,
} from '../contract';

export class RolloutState {
  private record: RolloutRecord | undefined;
  private state: RolloutStatus['state'] = 'running';
  private stage: RolloutStage | undefined;
  private traffic: Record<string, number> = {};
  private mirrorTraffic: Record<string, number> = {};
  private nextStepAt: string | undefined;
  /** What was left of the bake when it was paused, so a resume can say when the step ends. */
  private pausedRemainingMs: number | undefined;
  /** Bumped by every accepted control, so a bake's timer wakes up for it. */
  private version = 0;
  paused = false;
  promoteRequested = false;
  abortRequested: RolloutControl | undefined;

  constructor(
    private readonly project: string,
    private readonly cycle: number,
  ) {}

  /** The rollout starts: from now on controls are accepted. */
  begin(champion: string, challenger: string): RolloutRecord {
    this.record = {
      outcome: 'completed',
      reason: '',
      champion,
      challenger,
      stages: [],
      syntheticRequests: 0,
      controls: [],
    };
    return this.record;
  }

  enterStage(stage: RolloutStage, traffic: Record<string, number>, mirrorTraffic: Record<string, number>): void {
    this.stage = stage;
    this.traffic = traffic;
    this.mirrorTraffic = mirrorTraffic;
    this.current()?.stages.push({ stage, traffic, mirrorTraffic, startedAt: new Date().toISOString(), checks: 0 });
  }

  /** The running step's checks: counted, the last one kept (history of every check stays in Temporal's history). */
  checked(check: LiveCheck): void {
    const record = this.current();
    const stage = record?.stages[record.stages.length - 1];
    if (!record || !stage) return;
    stage.checks++;
    stage.lastCheck = check;
    record.syntheticRequests += check.deployments.reduce((n, d) => n + d.synthetic, 0);
  }

  endStage(): void {
    const record = this.current();
    const stage = record?.stages[record.stages.length - 1];
    if (stage && !stage.endedAt) stage.endedAt = new Date().toISOString();
  }

  /** When the running step ends if nothing breaches; undefined while paused. */
  setNextStepAt(at: number | undefined): void {
    this.nextStepAt = at === undefined ? undefined : new Date(at).toISOString();
  }

  end(outcome: RolloutRecord['outcome'], reason: string, traffic: Record<string, number>, evidence?: LiveCheck) {
    const record = this.current();
    if (!record) throw new Error('the rollout ended before it began');
    this.endStage();
    record.outcome = outcome;
    record.reason = reason;
    if (evidence) record.evidence = evidence;
    this.state = outcome;
    this.traffic = traffic;
    this.mirrorTraffic = {};
    this.nextStepAt = undefined;
    return record;
  }

  /** Changes whenever a control is accepted: a bake waits on it. */
  get controlVersion(): number {
    return this.version;
  }

  status(): RolloutStatus | undefined {
    const record = this.record;
    if (!record) return undefined;
    const stages = record.stages;
    return {
      ...record,
      state: this.state === 'running' && this.paused ? 'paused' : this.state,
      ...(this.stage ? { stage: this.stage } : {}),
      traffic: this.traffic,
      mirrorTraffic: this.mirrorTraffic,
      ...(this.nextStepAt ? { nextStepAt: this.nextStepAt } : {}),
      ...(stages[stages.length - 1]?.lastCheck ? { lastCheck: stages[stages.length - 1]?.lastCheck } : {}),
    };
  }

  /** The validators: a control needs a running rollout, and must change something. */
  validate(action: RolloutAction, control: RolloutControl): void {
    parseRolloutControl(control);
    if (!this.current() || this.state !== 'running') throw new Error(noRolloutRunning(this.project, this.cycle));
    if (this.abortRequested) throw new Error(`The rollout of cycle ${this.cycle} is already rolling back.`);
    const atFull = this.stage === 'full' || this.promoteRequested;
    if (action === 'pause' && this.paused) throw new Error(`The rollout of cycle ${this.cycle} is already paused.`);
    if (action === 'resume' && !this.paused) {
      throw new Error(
        `The rollout of cycle ${this.cycle} is not paused; pause it first with \`amlops rollout pause\`.`,
      );
    }
    if (action === 'promote' && atFull) {
      throw new Error(
        `The rollout of cycle ${this.cycle} is already at full traffic (watch window); ` +
          'it completes when the watch ends, or roll back with `amlops rollout abort`.',
      );
    }
  }

  apply(action: RolloutAction, control: RolloutControl): RolloutStatus {
    if (action === 'pause') {
      this.paused = true;
      this.pausedRemainingMs = this.nextStepAt ? Math.max(0, Date.parse(this.nextStepAt) - Date.now()) : undefined;
      this.nextStepAt = undefined;
    }
    if (action === 'resume') {
      this.paused = false;
      if (this.pausedRemainingMs !== undefined) this.setNextStepAt(Date.now() + this.pausedRemainingMs);
    }
    if (action === 'promote') this.promoteRequested = true;
    if (action === 'abort') this.abortRequested = control;
    this.current()?.controls.push({ action, at: new Date().toISOString(), ...control });
    this.version++;
    return this.status() as RolloutStatus;
  }

  private current(): RolloutRecord | undefined {
    return this.record;
  }
}

/** Wires the four rollout updates to the state, each with its validator. */
export function handleRolloutControls(rollout: RolloutState): void {
  const updates = [
    ['pause', rolloutPauseUpdate],
    ['resume', rolloutResumeUpdate],
    ['promote', rolloutPromoteUpdate],
    ['abort', rolloutAbortUpdate],
  ] as const;
  for (const [action, update] of updates) {
    setHandler(update, (control) => rollout.apply(action, control), {
      validator: (control) => rollout.validate(action, control),
    });
  }
}

// A cycle's progress, owned by the cycle alone: its steps with their timings (the one place they live), the running
// step, and the approval gate. The cycle workflow answers its status query and its approval update from here.
import { condition, upsertSearchAttributes } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import {
  notWaitingForApproval,
  parseApproval,
  STEP,
  type ApprovalDecision,
  type CycleStatus,
  type Step,
  type StepTiming,
} from '../contract';
import type { RolloutState } from './rollout-state';

/** The message of the innermost cause: what the activity said, not Temporal's wrapping. */
export function rootMessage(err: unknown): string {
  let e: unknown = err;
  while (e && typeof e === 'object' && 'cause' in e && (e as { cause?: unknown }).cause) {
    e = (e as { cause: unknown }).cause;
  }
  return e instanceof Error ? e.message : String(e);
}

export class CycleProgress {
  readonly steps: StepTiming[] = [];
  private decision: ApprovalDecision | undefined;
  private approvalReason: string | undefined;

  constructor(
    private readonly project: string,
    private readonly cycle: number,
    /** The cycle's rollout, shown in its status once it begins. */
    private readonly rollout?: RolloutState,
  ) {}

  /** Runs one step: timed, and shown in the Web UI's workflow list (search attribute) while it runs. */
  async step<T>(name: Step, run: () => Promise<T>): Promise<T> {
    const timing: StepTiming = { step: name, startedAt: new Date().toISOString() };
    this.steps.push(timing);
    upsertSearchAttributes([{ key: STEP, value: name }]);
    const end = () => {
      timing.endedAt = new Date().toISOString();
      timing.ms = Date.parse(timing.endedAt) - Date.parse(timing.startedAt);
    };
    try {
      const result = await run();
      end();
      return result;
    } catch (err) {
      end();
      timing.error = rootMessage(err);
      throw err;
    }
  }

  /**
   * The approval gate: the decision, or undefined when none came within the timeout (a duration such as '7 days').
   * `reason`, shown in status while it waits, says what the person is asked to judge beyond the usual.
   */
  awaitApproval(timeout: string, reason?: string): Promise<ApprovalDecision | undefined> {
    // The settings schema accepts only durations Temporal reads (ms-style strings).
    const within = timeout as Duration;
    this.approvalReason = reason;
    return this.step('awaitApproval', async () =>
      (await condition(() => this.decision !== undefined, within)) ? this.decision : undefined,
    );
  }

  /** The update's validator: only the cycle waiting at the gate takes a decision, and only one. */
  validateDecision(decision: ApprovalDecision): void {
    parseApproval(decision);
    const waiting = this.awaitingApproval();
    if (decision.cycle !== this.cycle || !waiting) {
      throw new Error(notWaitingForApproval(this.project, decision.cycle, waiting ? this.cycle : undefined));
    }
  }

  decide(decision: ApprovalDecision): { cycle: number; approved: boolean } {
    this.decision = decision;
    return { cycle: this.cycle, approved: decision.approved };
  }

  status(): CycleStatus {
    const current = this.running();
    return {
      cycle: this.cycle,
      step: current?.step,
      stepStartedAt: current?.startedAt,
      awaitingApproval: this.awaitingApproval(),
      ...(this.approvalReason && this.awaitingApproval() ? { approvalReason: this.approvalReason } : {}),
      steps: this.steps,
      ...(this.rollout?.status() ? { rollout: this.rollout.status() } : {}),
    };
  }

  /** Whether the step ran and ended without error. */
  succeeded(name: Step): boolean {
    return this.steps.some((s) => s.step === name && s.endedAt !== undefined && !s.error);
  }

  /** The step that was last started: the one a failure happened in. */
  lastStep(): Step | undefined {
    return this.steps[this.steps.length - 1]?.step;
  }

  private running(): StepTiming | undefined {
    const last = this.steps[this.steps.length - 1];
    return last && !last.endedAt ? last : undefined;
  }

  private awaitingApproval(): boolean {
    return this.running()?.step === 'awaitApproval' && this.decision === undefined;
  }
}

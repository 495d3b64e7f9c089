// The workflows' messages: the one list of names the workflows, CLI and webhooks share.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, RetrainRequest, RolloutControl } from './schemas';
import type { CycleRecord, CycleStatus, ProjectStatus, RetrainAck, RolloutStatus, TriggerRecord } from './types';

// The project workflow (id: projectWorkflowId).

/** Fire-and-forget retrain (webhooks use it with signalWithStart). */
export const retrainSignal = defineSignal<[RetrainRequest]>('retrain');
/** Retrain with an answer: whether it started a cycle, joined the next one, or was a duplicate. */
export const retrainUpdate = defineUpdate<RetrainAck, [RetrainRequest]>('retrain');
export const statusQuery = defineQuery<ProjectStatus>('status');
export const historyQuery = defineQuery<CycleRecord[]>('history');
export const triggersQuery = defineQuery<TriggerRecord[], [number?]>('triggers');

// A cycle workflow (id: cycleWorkflowId), the one owner of its progress.

/** Its steps with their timings, the current step, and whether it waits for approval. */
export const cycleStatusQuery = defineQuery<CycleStatus>('status');
/** Approves or rejects the cycle waiting at the approval gate; refused when it is not waiting. */
export const approvalUpdate = defineUpdate<{ cycle: number; approved: boolean }, [ApprovalDecision]>('approval');

/** Why an approval was refused: one wording for the cycle's validator and for the CLI. */
export function notWaitingForApproval(project: string, asked: number, waiting?: number): string {
  return waiting === undefined
    ? `No cycle of project ${project} is waiting for approval.`
    : `Cycle ${asked} is not waiting for approval; cycle ${waiting} is.`;
}

// The rollout of a cycle's new deployment: updates on the cycle, each refused (validator) when no rollout is running.

/** Holds the current step: its bake stops counting; checks go on, and a breach still rolls back. */
export const rolloutPauseUpdate = defineUpdate<RolloutStatus, [RolloutControl]>('rolloutPause');
/** Lets a paused step's bake count down again from where it stopped. */
export const rolloutResumeUpdate = defineUpdate<RolloutStatus, [RolloutControl]>('rolloutResume');
/** Skips the remaining shadow and canary steps: 100% to the new deployment, then the watch window. */
export const rolloutPromoteUpdate = defineUpdate<RolloutStatus, [RolloutControl]>('rolloutPromote');
/** Rolls back now: all traffic to the champion, the new deployment removed. */
export const rolloutAbortUpdate = defineUpdate<RolloutStatus, [RolloutControl]>('rolloutAbort');

/** Why a rollout control was refused: no rollout runs in this cycle (one wording for the validator and the CLI). */
export function noRolloutRunning(project: string, cycle?: number): string {
  return cycle === undefined
    ? `No rollout is running in project ${project}: no cycle is running.`
    : `No rollout is running in cycle ${cycle} of project ${project}; rollout controls apply while a new ` +
        'deployment is in shadow, canary or full-traffic watch (see `amlops rollout status`).';
}

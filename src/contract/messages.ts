// The retraining workflow's messages: the one list of names the workflow, CLI and webhooks share.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, RetrainRequest } from './schemas';
import type { CycleRecord, ProjectStatus, RetrainAck, Step, TriggerRecord } from './types';

/** Fire-and-forget retrain (webhooks use it with signalWithStart). */
export const retrainSignal = defineSignal<[RetrainRequest]>('retrain');
/** Retrain with an answer: whether it started a cycle, joined the next one, or was a duplicate. */
export const retrainUpdate = defineUpdate<RetrainAck, [RetrainRequest]>('retrain');
/** Decide a cycle waiting at the approval gate. */
export const approvalUpdate = defineUpdate<{ cycle: number; approved: boolean }, [ApprovalDecision]>('approval');

export const statusQuery = defineQuery<ProjectStatus>('status');
export const historyQuery = defineQuery<CycleRecord[]>('history');
export const triggersQuery = defineQuery<TriggerRecord[], [number?]>('triggers');

/**
 * Sent to the project as a cycle's steps start and fail, so the project's status shows the live step and attempt.
 * Activities send it themselves (activities/deps.ts), which costs the cycle workflow nothing; the cycle sends it
 * only for its one step without an activity, the approval wait.
 */
export interface CycleProgress {
  cycle: number;
  step: Step;
  event: 'started' | 'failed';
  at: string;
  attempt?: number;
  error?: string;
}
export const cycleProgressSignal = defineSignal<[CycleProgress]>('cycleProgress');
/** Forwarded by the project to the cycle that waits at the approval gate. */
export const cycleApprovalSignal = defineSignal<[ApprovalDecision]>('cycleApproval');

// The workflows' messages: the one list of names the workflows, CLI and webhooks share.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, RetrainRequest } from './schemas';
import type { CycleRecord, CycleStatus, ProjectStatus, RetrainAck, TriggerRecord } from './types';

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

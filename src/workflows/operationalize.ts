// The project workflow: runs a retraining cycle per batch of triggers, forever, keeping its history bounded.
// Its state lives in ProjectState; a running cycle's progress and approval belong to the cycle workflow.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  cycleWorkflowId,
  CYCLE,
  historyQuery,
  parseRetrainRequest,
  PROJECT,
  retrainSignal,
  retrainUpdate,
  statusQuery,
  triggersQuery,
  type CycleInput,
  type CycleRecord,
  type ProjectInput,
} from '../contract';
import { retrainingCycle } from './cycle';
import { rootMessage } from './cycle-progress';
import { ProjectState } from './project-state';

export async function operationalize(input: ProjectInput): Promise<void> {
  const project = new ProjectState(input);
  setHandler(retrainSignal, (request) => project.acceptSignal(request));
  setHandler(retrainUpdate, (request) => project.accept(request), {
    validator: (request) => void parseRetrainRequest(request),
  });
  setHandler(statusQuery, () => project.status());
  setHandler(historyQuery, () => project.history());
  setHandler(triggersQuery, (limit?: number) => project.triggers(limit));

  upsertSearchAttributes([{ key: PROJECT, value: input.project }]);
  upsertMemo({ project: input.project, datasetUri: project.datasetUri, target: input.settings.target });
  if (!input.carried) {
    project.accept({ requestId: `start:${workflowInfo().runId}`, reason: 'project started', source: 'start' });
  }

  for (;;) {
    await condition(() => project.hasPending() || project.shouldContinueAsNew());
    if (project.shouldContinueAsNew()) {
      // Let in-flight updates answer first; pending triggers travel in the carried state.
      await condition(allHandlersFinished);
      await continueAsNew<typeof operationalize>({ ...input, carried: project.carried() });
    }
    project.endCycle(await runCycle(project.startCycle()));
  }
}

/** Runs one cycle as a child workflow; its record, also when it failed. */
async function runCycle(cycle: CycleInput): Promise<CycleRecord> {
  const startedAt = new Date().toISOString();
  try {
    return await executeChild(retrainingCycle, {
      workflowId: cycleWorkflowId(cycle.project, cycle.cycle),
      args: [cycle],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      // Filtering the Web UI by project shows the project and all its cycles.
      typedSearchAttributes: [
        { key: PROJECT, value: cycle.project },
        { key: CYCLE, value: cycle.cycle },
      ],
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return failedRecord(err, cycle, startedAt);
  }
}

/** The record of a cycle whose workflow failed: the one it sent with its failure, else the failure alone. */
function failedRecord(err: unknown, cycle: CycleInput, startedAt: string): CycleRecord {
  const cause = (err as { cause?: unknown }).cause;
  const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as CycleRecord | undefined) : undefined;
  if (detail && typeof detail === 'object' && detail.cycle === cycle.cycle) return { ...detail, error: detail.reason };
  const message = rootMessage(err);
  return {
    cycle: cycle.cycle,
    outcome: 'failed',
    reason: message,
    error: message,
    startedAt,
    endedAt: new Date().toISOString(),
    triggers: cycle.triggers,
    datasetUri: cycle.datasetUri,
    steps: [],
  };
}

// The project workflow: runs a retraining cycle per batch of triggers, forever, keeping its history bounded.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { retrainingCycle, rootMessage } from './cycle';
import {
  approvalUpdate,
  cycleApprovalSignal,
  cycleProgressSignal,
  historyQuery,
  retrainSignal,
  retrainUpdate,
  statusQuery,
  triggersQuery,
  cycleWorkflowId,
  applyOverrides,
  parseApproval,
  parseRetrainRequest,
  CHAMPION_METRIC,
  CYCLE,
  PROJECT,
  STEP,
  type CarriedState,
  type CycleRecord,
  type ProjectInput,
  type ProjectStatus,
  type RetrainAck,
  type RetrainRequest,
  type StepTiming,
} from '../contract';
import { higherIsBetter } from './champion';

// Bounds on the carried state, so continue-as-new never carries a growing payload.
const HISTORY_KEPT = 100;
const TRIGGERS_KEPT = 5000;
const DEFAULT_MAX_HISTORY_EVENTS = 10_000;

export async function operationalize(input: ProjectInput): Promise<void> {
  const { project } = input;
  const state: CarriedState = input.carried ?? {
    cycle: 0,
    history: [],
    triggers: [],
    pending: [],
    triggersRecorded: 0,
    continuedAsNew: 0,
    datasetUri: input.datasetUri,
  };
  const seen = new Map(state.triggers.map((t) => [t.requestId, t]));
  let running = false;
  let awaitingApprovalCycle: number | undefined;
  let liveSteps: StepTiming[] = [];
  let lastError: string | undefined = state.history[state.history.length - 1]?.error;

  function accept(request: RetrainRequest): RetrainAck {
    const earlier = seen.get(request.requestId);
    if (earlier) return { status: 'duplicate', cycle: earlier.cycle };
    const willStart = !running && state.pending.length === 0;
    const cycle = state.cycle + 1;
    const record = {
      requestId: request.requestId,
      source: request.source,
      reason: request.reason,
      receivedAt: new Date().toISOString(),
      cycle,
      ...(request.datasetUri ? { datasetUri: request.datasetUri } : {}),
    };
    state.triggers.push(record);
    if (state.triggers.length > TRIGGERS_KEPT) {
      for (const dropped of state.triggers.splice(0, state.triggers.length - TRIGGERS_KEPT)) seen.delete(dropped.requestId);
    }
    seen.set(request.requestId, record);
    state.triggersRecorded++;
    state.pending.push(request);
    return { status: willStart ? 'started' : 'coalesced', cycle };
  }

  setHandler(retrainSignal, (request) => {
    // A signal cannot be refused, so a malformed one is recorded as an error instead of failing the workflow.
    try {
      accept(parseRetrainRequest(request));
    } catch (err) {
      lastError = `ignored a retrain signal: ${rootMessage(err)}`;
    }
  });
  setHandler(retrainUpdate, accept, { validator: (request) => void parseRetrainRequest(request) });

  setHandler(
    approvalUpdate,
    async (decision) => {
      const child = getExternalWorkflowHandle(cycleWorkflowId(project, decision.cycle));
      await child.signal(cycleApprovalSignal, decision);
      awaitingApprovalCycle = undefined;
      return { cycle: decision.cycle, approved: decision.approved };
    },
    {
      validator: (decision) => {
        parseApproval(decision);
        if (awaitingApprovalCycle === undefined) throw new Error(`No cycle of project ${project} is waiting for approval.`);
        if (decision.cycle !== awaitingApprovalCycle) {
          throw new Error(`Cycle ${decision.cycle} is not waiting for approval; cycle ${awaitingApprovalCycle} is.`);
        }
      },
    },
  );

  setHandler(cycleProgressSignal, (progress) => {
    if (progress.cycle !== state.cycle || !running) return;
    const open = liveSteps[liveSteps.length - 1];
    if (progress.event === 'started') {
      if (open && open.step === progress.step && !open.endedAt) {
        // A retry of the running step.
        open.attempt = progress.attempt;
      } else {
        if (open && !open.endedAt) {
          open.endedAt = progress.at;
          open.ms = Date.parse(progress.at) - Date.parse(open.startedAt);
        }
        liveSteps.push({ step: progress.step, startedAt: progress.at, ...(progress.attempt ? { attempt: progress.attempt } : {}) });
      }
      awaitingApprovalCycle = progress.step === 'awaitApproval' ? progress.cycle : undefined;
    } else {
      if (open) open.error = progress.error;
      lastError = `cycle ${progress.cycle}, ${progress.step}${progress.attempt ? ` (attempt ${progress.attempt})` : ''}: ${progress.error}`;
    }
  });
  setHandler(statusQuery, (): ProjectStatus => {
    const current = running ? liveSteps[liveSteps.length - 1] : undefined;
    return {
      project,
      state: awaitingApprovalCycle !== undefined ? 'awaiting-approval' : running ? 'running' : 'idle',
      cycle: state.cycle,
      step: current?.step,
      stepStartedAt: current?.startedAt,
      attempt: current?.attempt,
      steps: running ? liveSteps : (state.history[state.history.length - 1]?.steps ?? []),
      lastError,
      champion: state.champion,
      bestMetric: state.bestMetric,
      pendingTriggers: state.pending.length,
      triggersRecorded: state.triggersRecorded,
      cyclesCompleted: state.history.length ? state.history[state.history.length - 1].cycle : 0,
      continuedAsNew: state.continuedAsNew,
    };
  });
  setHandler(historyQuery, () => state.history);
  setHandler(triggersQuery, (limit?: number) => (limit ? state.triggers.slice(-limit) : state.triggers));

  upsertSearchAttributes([{ key: PROJECT, value: project }]);
  upsertMemo({ project, datasetUri: state.datasetUri, target: input.settings.target });
  if (!input.carried) accept({ requestId: `start:${workflowInfo().runId}`, reason: 'project started', source: 'start' });

  const historyFull = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS);

  for (;;) {
    await condition(() => state.pending.length > 0 || historyFull());
    if (historyFull()) {
      // Let in-flight updates answer first; pending triggers travel in the carried state.
      await condition(allHandlersFinished);
      await continueAsNew<typeof operationalize>({
        ...input,
        carried: { ...state, continuedAsNew: state.continuedAsNew + 1 },
      });
    }

    const batch = state.pending.splice(0);
    state.cycle++;
    running = true;
    liveSteps = [];
    lastError = undefined;
    const datasetUri = [...batch].reverse().find((r) => r.datasetUri)?.datasetUri ?? state.datasetUri;
    state.datasetUri = datasetUri;
    upsertSearchAttributes([{ key: CYCLE, value: state.cycle }]);

    let record: CycleRecord;
    try {
      record = await executeChild(retrainingCycle, {
        workflowId: cycleWorkflowId(project, state.cycle),
        args: [
          {
            project,
            cycle: state.cycle,
            datasetUri,
            settings: applyOverrides(input.settings, batch),
            champion: state.champion,
            triggers: batch.map((r) => r.requestId),
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        // Filtering the Web UI by project shows the project and all its cycles.
        typedSearchAttributes: [
          { key: PROJECT, value: project },
          { key: CYCLE, value: state.cycle },
        ],
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      record = failedRecord(err, state.cycle, batch, datasetUri, liveSteps);
      lastError = record.error;
    }
    running = false;
    awaitingApprovalCycle = undefined;
    // Errors of attempts that were retried away do not outlive a cycle that ended well.
    if (record.outcome !== 'failed') lastError = undefined;

    state.history.push(record);
    if (state.history.length > HISTORY_KEPT) state.history.splice(0, state.history.length - HISTORY_KEPT);
    // Whatever happened after it, a cycle whose traffic switch succeeded has put its model in front of users.
    const switched = record.steps.some((s) => s.step === 'switchTraffic' && s.endedAt && !s.error);
    if (switched && record.model && record.deployment) {
      state.champion = { cycle: record.cycle, model: record.model, deployment: record.deployment };
      upsertSearchAttributes([{ key: CHAMPION_METRIC, value: record.model.metricValue }]);
      upsertMemo({ datasetUri, endpoint: record.deployment.scoringUri, championModel: `${record.model.name}:${record.model.version}` });
    }
    if (record.model) {
      const better = higherIsBetter(record.model.primaryMetric) ? Math.max : Math.min;
      state.bestMetric = state.bestMetric === undefined ? record.model.metricValue : better(state.bestMetric, record.model.metricValue);
    }
    upsertSearchAttributes([{ key: STEP, value: `done:${record.outcome}` }]);
  }
}

/** The record of a cycle whose child workflow failed: its own record if it sent one, else what the project saw. */
function failedRecord(
  err: unknown,
  cycle: number,
  batch: RetrainRequest[],
  datasetUri: string,
  steps: StepTiming[],
): CycleRecord {
  const cause = (err as { cause?: unknown }).cause;
  const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as CycleRecord | undefined) : undefined;
  const message = rootMessage(err);
  if (detail && typeof detail === 'object' && detail.cycle === cycle) return { ...detail, error: detail.reason };
  const now = new Date().toISOString();
  return {
    cycle,
    outcome: 'failed',
    reason: message,
    error: message,
    startedAt: steps[0]?.startedAt ?? now,
    endedAt: now,
    triggers: batch.map((r) => r.requestId),
    datasetUri,
    steps,
  };
}

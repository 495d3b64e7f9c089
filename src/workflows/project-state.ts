// The project workflow's state: triggers (deduplicated, coalesced into the next cycle), the cycles' history, the
// champion, and what survives continue-as-new. operationalize.ts wires messages to it and runs the loop.
import { upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  applyOverrides,
  CHAMPION_METRIC,
  CYCLE,
  parseRetrainRequest,
  STEP,
  type CarriedState,
  type CycleInput,
  type CycleRecord,
  type ProjectInput,
  type ProjectStatus,
  type RetrainAck,
  type RetrainRequest,
  type TriggerRecord,
} from '../contract';
import { higherIsBetter } from './champion';
import { rootMessage } from './cycle-progress';

// Bounds on the carried state, so continue-as-new never carries a growing payload.
const HISTORY_KEPT = 100;
const TRIGGERS_KEPT = 5000;
const DEFAULT_MAX_HISTORY_EVENTS = 10_000;

export class ProjectState {
  private readonly state: CarriedState;
  /** Recorded triggers by request id: a repeated id is a duplicate. */
  private readonly seen: Map<string, TriggerRecord>;
  private running = false;
  private lastError: string | undefined;

  constructor(private readonly input: ProjectInput) {
    this.state = input.carried ?? {
      cycle: 0,
      history: [],
      triggers: [],
      pending: [],
      triggersRecorded: 0,
      continuedAsNew: 0,
      datasetUri: input.datasetUri,
    };
    this.seen = new Map(this.state.triggers.map((t) => [t.requestId, t]));
    this.lastError = this.state.history[this.state.history.length - 1]?.error;
  }

  get datasetUri(): string {
    return this.state.datasetUri;
  }

  /** Records a trigger once: it starts the next cycle, or joins the one after the running cycle. */
  accept(request: RetrainRequest): RetrainAck {
    const earlier = this.seen.get(request.requestId);
    if (earlier) return { status: 'duplicate', cycle: earlier.cycle };
    const willStart = !this.running && this.state.pending.length === 0;
    const cycle = this.state.cycle + 1;
    const record: TriggerRecord = {
      requestId: request.requestId,
      source: request.source,
      reason: request.reason,
      receivedAt: new Date().toISOString(),
      cycle,
      ...(request.datasetUri ? { datasetUri: request.datasetUri } : {}),
    };
    const { triggers } = this.state;
    triggers.push(record);
    if (triggers.length > TRIGGERS_KEPT) {
      for (const dropped of triggers.splice(0, triggers.length - TRIGGERS_KEPT)) this.seen.delete(dropped.requestId);
    }
    this.seen.set(request.requestId, record);
    this.state.triggersRecorded++;
    this.state.pending.push(request);
    return { status: willStart ? 'started' : 'coalesced', cycle };
  }

  /** A signal cannot be refused, so a malformed one is recorded as an error instead of failing the workflow. */
  acceptSignal(request: RetrainRequest): void {
    try {
      this.accept(parseRetrainRequest(request));
    } catch (err) {
      this.lastError = `ignored a retrain signal: ${rootMessage(err)}`;
    }
  }

  status(): ProjectStatus {
    const { history } = this.state;
    const last = history[history.length - 1];
    return {
      project: this.input.project,
      state: this.running ? 'running' : 'idle',
      cycle: this.state.cycle,
      lastCycleSteps: last?.steps ?? [],
      lastError: this.lastError,
      champion: this.state.champion,
      bestMetric: this.state.bestMetric,
      pendingTriggers: this.state.pending.length,
      triggersRecorded: this.state.triggersRecorded,
      cyclesCompleted: last ? last.cycle : 0,
      continuedAsNew: this.state.continuedAsNew,
    };
  }

  history(): CycleRecord[] {
    return this.state.history;
  }

  triggers(limit?: number): TriggerRecord[] {
    return limit ? this.state.triggers.slice(-limit) : this.state.triggers;
  }

  hasPending(): boolean {
    return this.state.pending.length > 0;
  }

  shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested || info.historyLength >= (this.input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS)
    );
  }

  /** The state the next run starts from; pending triggers travel in it. */
  carried(): CarriedState {
    return { ...this.state, continuedAsNew: this.state.continuedAsNew + 1 };
  }

  /** Takes every pending trigger into the next cycle; the last trigger that names a dataset decides its data. */
  startCycle(): CycleInput {
    const batch = this.state.pending.splice(0);
    this.state.cycle++;
    this.running = true;
    this.lastError = undefined;
    // The project adopts a new dataset only once a cycle has uploaded it (endCycle): a missing or broken file named
    // by one retrain must not become the data of every later plain retrain.
    const datasetUri = [...batch].reverse().find((r) => r.datasetUri)?.datasetUri ?? this.state.datasetUri;
    upsertSearchAttributes([{ key: CYCLE, value: this.state.cycle }]);
    return {
      project: this.input.project,
      cycle: this.state.cycle,
      datasetUri,
      settings: applyOverrides(this.input.settings, batch),
      champion: this.state.champion,
      triggers: batch.map((r) => r.requestId),
    };
  }

  /** Records how a cycle ended; a cycle whose traffic switch succeeded has made its model the champion. */
  endCycle(record: CycleRecord): void {
    this.running = false;
    // Errors of attempts that were retried away do not outlive a cycle that ended well.
    this.lastError = record.outcome === 'failed' ? record.error : undefined;
    if (record.dataset) this.state.datasetUri = record.datasetUri;
    const { history } = this.state;
    history.push(record);
    if (history.length > HISTORY_KEPT) history.splice(0, history.length - HISTORY_KEPT);
    // Whatever happened after it, a cycle whose traffic switch or rollout succeeded has put its model in front of
    // users.
    const switched =
      record.steps.some((s) => s.step === 'switchTraffic' && s.endedAt && !s.error) ||
      record.rollout?.outcome === 'completed';
    if (switched && record.model && record.deployment) {
      this.state.champion = { cycle: record.cycle, model: record.model, deployment: record.deployment };
      upsertSearchAttributes([{ key: CHAMPION_METRIC, value: record.model.metricValue }]);
      upsertMemo({
        datasetUri: record.datasetUri,
        endpoint: record.deployment.scoringUri,
        championModel: `${record.model.name}:${record.model.version}`,
      });
    }
    if (record.model) {
      const { metricValue, primaryMetric } = record.model;
      const better = higherIsBetter(primaryMetric) ? Math.max : Math.min;
      const best = this.state.bestMetric;
      this.state.bestMetric = best === undefined ? metricValue : better(best, metricValue);
    }
    upsertSearchAttributes([{ key: STEP, value: `done:${record.outcome}` }]);
  }
}

// The plain data the retraining workflow keeps and exchanges: settings, triggers, cycle records.
// Everything here lands in workflow history and the Web UI, so it holds names, versions and URIs only.
import type { PrimaryMetric } from '../automl/types';

export const STEPS = [
  'uploadDataset',
  'ensureCompute',
  'submitAutoML',
  'waitForAutoML',
  'registerModel',
  'deployModel',
  'enableInsights',
  'smokeTest',
  'awaitApproval',
  'switchTraffic',
  'publishPipeline',
] as const;
export type Step = (typeof STEPS)[number] | 'rollbackDeployment';

/** The engine's metric names (Azure's Python spelling); a type only, so the workflow bundle stays free of the engine. */
export type PrimaryMetricName = PrimaryMetric;

export interface ComputeSettings {
  name: string;
  vmSize: string;
  minNodes: number;
  maxNodes: number;
  idleSecondsBeforeScaleDown: number;
}

export interface AutoMLLimits {
  timeoutMinutes: number;
  trialTimeoutMinutes: number;
  maxTrials: number;
  maxConcurrentTrials: number;
  enableEarlyTermination: boolean;
  exitScore?: number;
}

export interface BenchmarkGate {
  requests: number;
  connections: number;
  maxP95Ms: number;
  maxErrorRate: number;
}

/** What a cycle does; a retrain request may override any of these for its cycle. */
export interface CycleSettings {
  target: string;
  primaryMetric: PrimaryMetricName;
  compute: ComputeSettings;
  automl: AutoMLLimits;
  instanceType: string;
  instanceCount: number;
  /** A challenger must beat the champion's primary metric by at least this much to be deployed. */
  championMargin: number;
  requireApproval: boolean;
  /** How long an approval may wait before the cycle counts it as rejected (ms-style string, e.g. '7 days'). */
  approvalTimeout: string;
  benchmark: BenchmarkGate;
  /** publishPipeline creates this retrain schedule (a Temporal Schedule) if set: an interval or a cron expression. */
  retrainSchedule?: { every?: string; cron?: string };
}

/** The workflow's input: one project = one dataset + one prediction target + one endpoint. */
export interface ProjectInput {
  project: string;
  datasetUri: string;
  settings: CycleSettings;
  /** Continue-as-new once history reaches this many events (server suggests at 4,096). */
  maxHistoryEvents?: number;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: CarriedState;
}

export type TriggerSource = 'start' | 'cli' | 'github' | 'eventgrid' | 'webhook' | 'schedule';

export interface RetrainRequest {
  /** Idempotency key: a repeated id is recorded once and never retrains twice. */
  requestId: string;
  reason: string;
  source: TriggerSource;
  datasetUri?: string;
  overrides?: Partial<Omit<CycleSettings, 'compute' | 'automl' | 'benchmark'>> & {
    automl?: Partial<AutoMLLimits>;
    benchmark?: Partial<BenchmarkGate>;
  };
}

export interface TriggerRecord {
  requestId: string;
  source: TriggerSource;
  reason: string;
  receivedAt: string;
  /** The cycle that handled (or will handle) this trigger. */
  cycle: number;
  datasetUri?: string;
}

export interface RetrainAck {
  status: 'started' | 'coalesced' | 'duplicate';
  cycle: number;
}

export interface ApprovalDecision {
  cycle: number;
  approved: boolean;
  by?: string;
  comment?: string;
}

export interface ModelRef {
  name: string;
  version: string;
  primaryMetric: PrimaryMetricName;
  metricValue: number;
  metrics?: Record<string, number>;
  /** The raw columns that matter most to the model (permutation importance), most important first. */
  topFeatures?: { column: string; importance: number }[];
}

export interface DeploymentRef {
  endpointName: string;
  deploymentName: string;
  scoringUri: string;
}

export interface ChampionRecord {
  cycle: number;
  model: ModelRef;
  deployment: DeploymentRef;
}

export type CycleOutcome = 'deployed' | 'kept-champion' | 'rolled-back' | 'rejected' | 'failed';

export interface StepTiming {
  step: Step;
  startedAt: string;
  /** Attempt number of the step's activity (1 = first try). */
  attempt?: number;
  endedAt?: string;
  ms?: number;
  error?: string;
}

export interface CycleRecord {
  cycle: number;
  outcome: CycleOutcome;
  /** Why the cycle ended as it did, in a sentence. */
  reason: string;
  startedAt: string;
  endedAt: string;
  triggers: string[]; // request ids
  datasetUri: string;
  dataset?: { name: string; version: string };
  jobName?: string;
  model?: ModelRef;
  championBefore?: ModelRef;
  deployment?: DeploymentRef;
  smokeTest?: SmokeSummary;
  pipeline?: PipelineRef;
  steps: StepTiming[];
  error?: string;
}

export interface SmokeSummary {
  passed: boolean;
  checks: { name: string; passed: boolean; detail: string }[];
  benchmark?: { requestsPerSec: number; p50Ms: number; p95Ms: number; p99Ms: number; errorRate: number };
  reportUri?: string;
}

export interface PipelineRef {
  batchEndpoint?: string;
  triggerUrl?: string;
  scheduleId?: string;
}

export type ProjectState = 'idle' | 'running' | 'awaiting-approval';

export interface ProjectStatus {
  project: string;
  state: ProjectState;
  cycle: number;
  step?: Step;
  stepStartedAt?: string;
  /** Attempt of the running step (retries after failures count up). */
  attempt?: number;
  steps: StepTiming[];
  lastError?: string;
  champion?: ChampionRecord;
  /** Best primary metric any cycle has reached. */
  bestMetric?: number;
  pendingTriggers: number;
  triggersRecorded: number;
  cyclesCompleted: number;
  continuedAsNew: number;
}

/** State that survives continue-as-new. Bounded: old records are dropped past the caps below. */
export interface CarriedState {
  cycle: number;
  champion?: ChampionRecord;
  bestMetric?: number;
  history: CycleRecord[];
  triggers: TriggerRecord[];
  pending: RetrainRequest[];
  triggersRecorded: number;
  continuedAsNew: number;
  datasetUri: string;
}

export const HISTORY_KEPT = 100;
export const TRIGGERS_KEPT = 5000;

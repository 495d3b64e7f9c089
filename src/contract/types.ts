// The records workflows keep, return and show: workflow inputs, cycle records, triggers, status.
// Everything here lands in workflow history and the Web UI, so it holds names, versions and URIs only. Our own code
// makes these (what arrives from outside is validated by schemas.ts), so they are plain types without a schema.
import type { PrimaryMetric } from '../automl/types';
import type { CompatibilityFinding } from '../monitoring/input-compatibility';
import type { CycleSettings, RetrainRequest, TriggerSource } from './schemas';

/** One way a challenger would refuse or change what live clients get (made by src/monitoring's check). */
export type { CompatibilityFinding };

export const STEPS = [
  'uploadDataset',
  'ensureCompute',
  'submitAutoML',
  'waitForAutoML',
  'registerModel',
  'deployModel',
  'enableInsights',
  'checkCompatibility',
  'evaluateModels',
  'smokeTest',
  'awaitApproval',
  'switchTraffic',
  'publishPipeline',
] as const;
/** A rollout step as the Web UI's AmlopsStep shows it: 'rollout:shadow', 'rollout:canary-10', 'rollout:full'. */
export type RolloutStep = `rollout:${RolloutStage}`;
export type Step = (typeof STEPS)[number] | 'rollbackDeployment' | RolloutStep;

/**
 * The engine's metric names (Azure's Python spelling); a type only, so the workflow bundle stays free of the engine.
 */
export type PrimaryMetricName = PrimaryMetric;

/** The project workflow's input: one project = one dataset + one prediction target + one endpoint. */
export interface ProjectInput {
  project: string;
  datasetUri: string;
  settings: CycleSettings;
  /** Continue-as-new once history reaches this many events (server suggests at 4,096). */
  maxHistoryEvents?: number;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: CarriedState;
}

/** The project workflow's signature, for starting it by name (PROJECT_WORKFLOW) with typed arguments. */
export type ProjectWorkflow = (input: ProjectInput) => Promise<void>;

/** State that survives continue-as-new. Bounded: the project drops its oldest records past fixed caps. */
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

/** The cycle workflow's input. */
export interface CycleInput {
  project: string;
  cycle: number;
  datasetUri: string;
  settings: CycleSettings;
  champion?: ChampionRecord;
  triggers: string[];
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

/** 'blocked': the challenger would refuse or change what live clients get (input compatibility); it was removed. */
export type CycleOutcome = 'deployed' | 'kept-champion' | 'rolled-back' | 'rejected' | 'blocked' | 'failed';

export interface StepTiming {
  step: Step;
  startedAt: string;
  /** Attempt number of the running step's activity (1 = first try); only the server knows it, so only live views. */
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
  /** Both models scored on this cycle's test slice: what the champion/challenger gate decided on. */
  evaluation?: ModelEvaluation;
  smokeTest?: SmokeSummary;
  /** The challenger's input compatibility with the champion and live clients (absent on a first cycle). */
  compatibility?: CompatibilityCheck;
  pipeline?: PipelineRef;
  /** The progressive rollout (cycles that had a champion to roll out beside), with the evidence of a rollback. */
  rollout?: RolloutRecord;
  steps: StepTiming[];
  error?: string;
}

/** The input compatibility gate's evidence: small, so it can live in the cycle record (no rows, no keys). */
export interface CompatibilityCheck {
  compatible: boolean;
  findings: CompatibilityFinding[];
  /** Recent live scoring requests read from the champion's logs (0: none, or its request records are off). */
  liveRequests: number;
  /** Columns the challenger's deployment takes as optional (scored as missing when left out). */
  optionalColumns: string[];
  /** One sentence naming every finding's column or class and its count of live requests. */
  reason: string;
}

/**
 * The challenger and the champion scored on one held-out test slice. Small on purpose: it lands in workflow history,
 * so it holds no rows, predictions or keys.
 */
export interface ModelEvaluation {
  primaryMetric: PrimaryMetricName;
  testRows: number;
  challenger: { deploymentName: string; metric: number };
  /** Absent on a first cycle (no champion yet); so are difference and interval. */
  champion?: { deploymentName: string; metric: number };
  /**
   * The challenger's advantage on the slice: challenger - champion, or champion - challenger for a loss (log_loss).
   * Positive favours the challenger, as the gate's margin reads it.
   */
  difference?: number;
  /** Paired bootstrap interval of that advantage (the same resampled rows for both models). */
  interval?: { low: number; high: number; confidence: number };
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

/** What the project workflow knows: its cycles and triggers. A running cycle's progress is the cycle's own. */
export interface ProjectStatus {
  project: string;
  state: 'idle' | 'running';
  /** The running cycle, or the last one. */
  cycle: number;
  /** The steps of the last finished cycle. */
  lastCycleSteps: StepTiming[];
  lastError?: string;
  champion?: ChampionRecord;
  /** Best primary metric any cycle has reached. */
  bestMetric?: number;
  pendingTriggers: number;
  triggersRecorded: number;
  cyclesCompleted: number;
  continuedAsNew: number;
}

/** What a cycle workflow knows about itself: its steps with their timings, the current one, the approval wait. */
export interface CycleStatus {
  cycle: number;
  step?: Step;
  stepStartedAt?: string;
  awaitingApproval: boolean;
  /** Why the approval gate asks a person (e.g. the challenger's input compatibility findings), while it waits. */
  approvalReason?: string;
  steps: StepTiming[];
  /** The rollout, while one runs (and after it ended, how it ended). */
  rollout?: RolloutStatus;
}

/** 'shadow' (mirrored copies), 'canary-N' (N% of live traffic), 'full' (100%, then the watch window). */
export type RolloutStage = 'shadow' | `canary-${number}` | 'full';

/** One deployment's metrics over a check's window: live ones from Azure Monitor, plus synthetic requests sent. */
export interface DeploymentCheck {
  deployment: string;
  role: 'champion' | 'challenger';
  /** Requests judged: live + synthetic. */
  requests: number;
  /** Of those, requests the check sent itself because live traffic was below minRequests. */
  synthetic: number;
  status4xx: number;
  status5xx: number;
  p95Ms?: number;
}

/** The live check of a rollout step: what was measured and the verdict of src/monitoring's judgeRollout. */
export interface LiveCheck {
  at: string;
  stage: RolloutStage;
  windowSeconds: number;
  deployments: DeploymentCheck[];
  /** Prediction agreement, from probe rows scored through both deployments (not live traffic). */
  probe?: {
    rows: number;
    source: string;
    champion: Record<string, number>;
    challenger: Record<string, number>;
    jsDistance?: number;
  };
  verdict: 'pass' | 'breach' | 'insufficient-data';
  breaches: { metric: string; value: number; threshold: number; deployment: string }[];
  /** Why there is no verdict yet (insufficient-data). */
  reason?: string;
}

export interface RolloutStageRecord {
  stage: RolloutStage;
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  startedAt: string;
  endedAt?: string;
  checks: number;
  lastCheck?: LiveCheck;
}

export type RolloutAction = 'pause' | 'resume' | 'promote' | 'abort';

/** What a rollout did: its stages, the controls it obeyed, and, when it rolled back, the evidence. */
export interface RolloutRecord {
  outcome: 'completed' | 'rolled-back';
  reason: string;
  champion: string;
  challenger: string;
  stages: RolloutStageRecord[];
  /** Synthetic requests sent over the whole rollout because live traffic was too thin to judge. */
  syntheticRequests: number;
  controls: { action: RolloutAction; at: string; by?: string; reason?: string }[];
  /** The check that breached (rolled-back on a breach). */
  evidence?: LiveCheck;
}

/** A running rollout, as `amlops rollout status` shows it. */
export interface RolloutStatus extends RolloutRecord {
  state: 'running' | 'paused' | 'completed' | 'rolled-back';
  stage?: RolloutStage;
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  /** When the current step ends if nothing breaches (absent while paused). */
  nextStepAt?: string;
  lastCheck?: LiveCheck;
}

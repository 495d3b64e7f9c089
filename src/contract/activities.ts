// The cycle's steps as activities: what each takes and returns, small references (names, versions, URIs), never data
// or secrets. The cycle workflow proxies this interface; src/activities implements it.
import type { AutoMLLimits, BenchmarkGate, ComputeSettings, RolloutSettings } from './schemas';
import type {
  CompatibilityCheck,
  DeploymentRef,
  LiveCheck,
  ModelEvaluation,
  ModelRef,
  PipelineRef,
  PrimaryMetricName,
  RolloutStage,
  SmokeSummary,
} from './types';

export interface DatasetRef {
  name: string;
  version: string;
  /** azureml:// or https URI of the registered data asset. */
  uri: string;
}

export interface UploadDatasetInput {
  project: string;
  /**
   * With the project, seeds the test slice held out of the file. Absent (a caller from before issue #11): no slice
   * is held out and the whole file is the training data.
   */
  cycle?: number;
  /** Local path, file:// or https:// URI of a CSV, or azureml:name:version of a registered asset (no slice then). */
  datasetUri: string;
  target: string;
  /** Share of the labelled rows held out as the test slice (CycleSettings.testShare). */
  testShare?: number;
}

/** The held-out rows as their own data asset (uri_file): what evaluateModels scores both models on. */
export interface TestSliceRef extends DatasetRef {
  rows: number;
}

/** The training data (what the AutoML job sees) and, when a cycle was given, the test slice held out of it. */
export interface UploadedDataset extends DatasetRef {
  testSlice?: TestSliceRef;
}

export interface EnsureComputeInput {
  compute: ComputeSettings;
}
export interface ComputeRef {
  name: string;
  provisioningState: string;
}

export interface SubmitAutoMLInput {
  jobName: string;
  project: string;
  cycle: number;
  dataset: DatasetRef;
  computeName: string;
  target: string;
  primaryMetric: PrimaryMetricName;
  limits: AutoMLLimits;
}
export interface JobRef {
  jobName: string;
  /** True when the job already existed (a retried submit attached to it). */
  attached: boolean;
}

export interface WaitForAutoMLInput {
  jobName: string;
  primaryMetric: PrimaryMetricName;
}
export interface AutoMLOutcome {
  jobName: string;
  status: 'Completed';
  bestChildRunId: string;
  bestMetric: number;
  trialsDone: number;
}

export interface RegisterModelInput {
  project: string;
  cycle: number;
  modelName: string;
  jobName: string;
  bestChildRunId: string;
  dataset: DatasetRef;
  primaryMetric: PrimaryMetricName;
}

export interface DeployModelInput {
  project: string;
  cycle: number;
  endpointName: string;
  deploymentName: string;
  model: ModelRef;
  instanceType: string;
  instanceCount: number;
  /** Input columns the deployment lets rows leave out (the project's optionalColumns); absent or empty: none. */
  optionalColumns?: string[];
}

export interface EnableInsightsInput {
  deployment: DeploymentRef;
}
export interface InsightsRef {
  appInsightsEnabled: boolean;
  /** Lines of deployment log read back through getLogs, to prove logging works. */
  logLines: number;
}

export interface CheckCompatibilityInput {
  endpointName: string;
  /** The deployment serving live traffic now: its model and its recent request records are the reference. */
  championDeployment: string;
  /** This cycle's deployment, before it takes traffic. */
  challengerDeployment: string;
}

export interface EvaluateModelsInput {
  /** With the cycle, seeds the bootstrap resamples, so a retried step reports the same interval. */
  project: string;
  cycle: number;
  endpointName: string;
  /** This cycle's deployment, before it takes traffic. */
  challenger: { deploymentName: string };
  /** The deployment serving now, scored the same way (absent on a first cycle). */
  champion?: { deploymentName: string };
  testSlice: Pick<TestSliceRef, 'name' | 'version'>;
  target: string;
  primaryMetric: PrimaryMetricName;
}

export interface SmokeTestInput {
  project: string;
  cycle: number;
  deployment: DeploymentRef;
  gate: BenchmarkGate;
}

export interface SwitchTrafficInput {
  endpointName: string;
  /** Deployment that takes 100% of traffic. */
  deploymentName: string;
}
export interface RollbackInput {
  endpointName: string;
  /** The deployment that failed its gate; removed. */
  failedDeployment: string;
  /** The champion's deployment, which keeps (or gets back) all traffic. */
  previousDeployment?: string;
}
export interface TrafficRef {
  endpointName: string;
  traffic: Record<string, number>;
  mirrorTraffic?: Record<string, number>;
}

/** One rollout step's traffic: the whole split, so setting it again changes nothing (idempotent). */
export interface SetTrafficInput {
  endpointName: string;
  /** Percent of live traffic per deployment, summing to 100. */
  traffic: Record<string, number>;
  /** Percent of live traffic copied to one deployment (shadow); {} for none. */
  mirrorTraffic: Record<string, number>;
}

/** One live check of a rollout step: both deployments' metrics over the step so far, a probe, and the verdict. */
export interface CheckRolloutInput {
  endpointName: string;
  stage: RolloutStage;
  champion: string;
  challenger: string;
  /** The step so far (at least a minute: Azure Monitor's grain). */
  windowSeconds: number;
  probeRows: number;
  thresholds: RolloutSettings['thresholds'];
}

export interface PublishPipelineInput {
  project: string;
  cycle: number;
  model: ModelRef;
  deployment: DeploymentRef;
  batchEndpointName: string;
  /** The cluster batch scoring jobs run on (the project's compute). */
  computeName: string;
  /** Create this retrain schedule (if it does not exist yet). */
  schedule?: { every?: string; cron?: string };
}

export interface Activities {
  uploadDataset(input: UploadDatasetInput): Promise<UploadedDataset>;
  ensureCompute(input: EnsureComputeInput): Promise<ComputeRef>;
  submitAutoML(input: SubmitAutoMLInput): Promise<JobRef>;
  waitForAutoML(input: WaitForAutoMLInput): Promise<AutoMLOutcome>;
  registerModel(input: RegisterModelInput): Promise<ModelRef>;
  deployModel(input: DeployModelInput): Promise<DeploymentRef>;
  enableInsights(input: EnableInsightsInput): Promise<InsightsRef>;
  evaluateModels(input: EvaluateModelsInput): Promise<ModelEvaluation>;
  checkCompatibility(input: CheckCompatibilityInput): Promise<CompatibilityCheck>;
  smokeTest(input: SmokeTestInput): Promise<SmokeSummary>;
  switchTraffic(input: SwitchTrafficInput): Promise<TrafficRef>;
  rollbackDeployment(input: RollbackInput): Promise<TrafficRef>;
  setTraffic(input: SetTrafficInput): Promise<TrafficRef>;
  checkRollout(input: CheckRolloutInput): Promise<LiveCheck>;
  publishPipeline(input: PublishPipelineInput): Promise<PipelineRef>;
}

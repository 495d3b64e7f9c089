// The steps of a retraining cycle, as Temporal activities (the worker registers this module).
// The Azure ML client these steps need (src/azureml) is not built yet: each step fails at once with a
// non-retryable error that names what is missing, instead of pretending to succeed.
import { ApplicationFailure } from '@temporalio/activity';
import type {
  AutoMLOutcome,
  ComputeRef,
  DatasetRef,
  DeployModelInput,
  DeploymentRef,
  EnableInsightsInput,
  EnsureComputeInput,
  InsightsRef,
  JobRef,
  ModelRef,
  PipelineRef,
  PublishPipelineInput,
  RegisterModelInput,
  RollbackInput,
  SmokeSummary,
  SmokeTestInput,
  SubmitAutoMLInput,
  SwitchTrafficInput,
  TrafficRef,
  UploadDatasetInput,
  WaitForAutoMLInput,
} from './contract';

function unavailable(step: string, needs: string): never {
  throw ApplicationFailure.create({
    type: 'StepUnavailable',
    nonRetryable: true,
    message: `${step} cannot run yet: it needs ${needs}, which this build of amlops does not include. Nothing was created.`,
  });
}

const client = 'the Azure ML client (src/azureml) and the local workspace (src/emulator)';

export async function uploadDataset(_input: UploadDatasetInput): Promise<DatasetRef> {
  return unavailable('uploadDataset', client);
}
export async function ensureCompute(_input: EnsureComputeInput): Promise<ComputeRef> {
  return unavailable('ensureCompute', client);
}
export async function submitAutoML(_input: SubmitAutoMLInput): Promise<JobRef> {
  return unavailable('submitAutoML', client);
}
export async function waitForAutoML(_input: WaitForAutoMLInput): Promise<AutoMLOutcome> {
  return unavailable('waitForAutoML', client);
}
export async function registerModel(_input: RegisterModelInput): Promise<ModelRef> {
  return unavailable('registerModel', client);
}
export async function deployModel(_input: DeployModelInput): Promise<DeploymentRef> {
  return unavailable('deployModel', client);
}
export async function enableInsights(_input: EnableInsightsInput): Promise<InsightsRef> {
  return unavailable('enableInsights', client);
}
export async function smokeTest(_input: SmokeTestInput): Promise<SmokeSummary> {
  return unavailable('smokeTest', 'the scoring smoke-test library (src/smoketest) and ' + client);
}
export async function switchTraffic(_input: SwitchTrafficInput): Promise<TrafficRef> {
  return unavailable('switchTraffic', client);
}
export async function rollbackDeployment(_input: RollbackInput): Promise<TrafficRef> {
  return unavailable('rollbackDeployment', client);
}
export async function publishPipeline(_input: PublishPipelineInput): Promise<PipelineRef> {
  return unavailable('publishPipeline', client);
}

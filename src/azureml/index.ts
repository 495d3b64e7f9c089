// Entry point of the Azure ML client: the rest of amlops talks to Azure (or the local workspace) only through this.
export { AzureMLClient, DEFAULT_DATASTORE, runMetrics, runTag, type ArmAnswer, type MlflowRun } from './client';
export { deploymentMetrics, type DeploymentMetrics, type MetricsWindow } from './live-metrics';
export { getTraffic, setTraffic, TRAFFIC_API_VERSION, type TrafficSplit } from './traffic';
export { azureFailure, call, isNotFound, lookup } from './errors';
export {
  azureTargetFromEnv,
  localTarget,
  localTargetFromDir,
  WorkspaceNotConfigured,
  type LocalConnection,
  type WorkspaceTarget,
} from './target';

// Door of the Azure ML client: the rest of amlops talks to Azure (or the local workspace) only through this.
export { AzureMLClient, DEFAULT_DATASTORE, runMetrics, runTag, type MlflowRun } from './client';
export { azureFailure, call, isNotFound, lookup } from './errors';
export { azureTargetFromEnv, localTarget, localTargetFromDir, WorkspaceNotConfigured, type LocalConnection, type WorkspaceTarget } from './target';

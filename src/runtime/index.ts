// The process wiring the worker and the CLI share: where Temporal is, the workspace, the worker's log.
export { temporalAddress } from './temporal';
export { logWorkerToFile } from './worker-log';
export { openWorkspace, previousPort, workspaceDir, type OpenWorkspace } from './workspace';

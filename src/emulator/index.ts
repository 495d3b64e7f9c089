// Entry point of the local workspace: start it in-process, connect to it, and the seams tests may replace.
export { startLocalWorkspace, type LocalWorkspace, type LocalWorkspaceOptions } from './workspace';
export { LocalWorkspaceCredential } from './auth';
export type { FaultRule } from './faults';
export type { JournalEntry } from './journal';
export type { TrainingEngine, TrainingInput, TrainingCallbacks } from './jobs/engine';
export { TrainingInputError } from './jobs/engine';
export type { ScoringLauncher, ScoringInstance, LaunchSpec } from './serving/launcher';
export type { BlobConnection } from './storage/azurite';

// The training runner's entry point: reads dataset files and runs experiments on worker threads
// (the I/O and threads src/automl must not have).
export { runExperiment, RunExperimentOptions, ExperimentCanceledError } from './runExperiment';
export { readDataset } from './readDataset';
export { lowerThreadPriority, TRAINING_NICE } from './priority';

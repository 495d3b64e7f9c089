// The seam between jobs and the AutoML engine: what a training run is given, what it reports, and how it fails.
import type { AutoMLProgress, AutoMLResult, AutoMLSettings, TrialResult } from '../../automl';
import type { TrainingData } from './training-data';

export interface TrainingInput {
  /** The training data's files as read; the engine parses them once, off the workspace's event loop. */
  data: TrainingData;
  settings: AutoMLSettings;
  /** A folder the engine may write to (the job's working directory). */
  workDir: string;
}

export interface TrainingCallbacks {
  onTrial(trial: TrialResult, progress: AutoMLProgress): void;
}

/** A failure the user caused (bad data or settings): the job fails with this code and message, no retry. */
export class TrainingInputError extends Error {
  override readonly name = 'TrainingInputError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TrainingEngine {
  /**
   * Trains until the settings' budget is spent or `signal` aborts; rejects with DatasetError or
   * TrainingInputError for bad input.
   */
  train(input: TrainingInput, callbacks: TrainingCallbacks, signal: AbortSignal): Promise<AutoMLResult>;
}

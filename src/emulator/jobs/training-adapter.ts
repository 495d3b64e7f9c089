// Adapts the training room's runExperiment (src/training) to the emulator's TrainingInput; the only file that knows its API.
import type { AutoMLProgress, AutoMLResult, TrialResult } from '../../automl/types';
import type { TrainingInput } from './engine';

export async function runTraining(input: TrainingInput, signal: AbortSignal, onTrial: (t: TrialResult, p: AutoMLProgress) => void): Promise<AutoMLResult> {
  let training: { runExperiment?: (...args: unknown[]) => Promise<AutoMLResult> };
  try {
    // A computed path: src/training may not be built yet, and the emulator must still compile and serve without it.
    const path = '../../training';
    training = require(path) as typeof training;
  } catch {
    throw new Error('The AutoML training runner (src/training) is not available in this build.');
  }
  if (typeof training.runExperiment !== 'function') throw new Error('src/training does not export runExperiment.');
  return training.runExperiment({ csvTexts: input.csvTexts, delimiter: input.delimiter, settings: input.settings, signal, onTrial });
}

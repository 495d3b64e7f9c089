// Worker-thread entry: parses the posted training files into a table and runs runExperiment on it; posts trials, the
// result or the error.
import { parentPort, workerData } from 'node:worker_threads';
import {
  DatasetError,
  type AutoMLProgress,
  type AutoMLResult,
  type DatasetErrorData,
  type TrialResult,
} from '../../automl';
import { lowerThreadPriority, runExperiment } from '../../training';
import type { TrainingInput } from './engine';
import { trainingTable } from './training-data';

export type WorkerMessage =
  | { type: 'trial'; trial: TrialResult; progress: AutoMLProgress }
  | { type: 'result'; result: AutoMLResult }
  | { type: 'datasetError'; error: DatasetErrorData }
  | { type: 'error'; message: string };

// Parsing and the experiment's bookkeeping run below the scoring front end's priority, as the trials do.
lowerThreadPriority();

// Cancellation needs no message: the engine terminates this thread, and the trial threads with it.
async function main(): Promise<void> {
  const { data, settings } = workerData as TrainingInput;
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  try {
    const result = await runExperiment({
      table: trainingTable(data),
      settings,
      nodes: settings.maxConcurrentTrials,
      onProgress: (progress) => {
        if (progress.lastTrial) post({ type: 'trial', trial: progress.lastTrial, progress });
      },
    });
    post({ type: 'result', result });
  } catch (err) {
    if (err instanceof DatasetError) post({ type: 'datasetError', error: err.toJSON() });
    else post({ type: 'error', message: (err as Error)?.message ?? String(err) });
  }
}

void main();

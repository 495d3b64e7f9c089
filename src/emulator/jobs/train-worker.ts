// Worker-thread entry: runs the training room's runExperiment on the posted table, and posts trials, then the result or the error.
import { parentPort, workerData } from 'node:worker_threads';
import type { AutoMLProgress, AutoMLResult, TrialResult } from '../../automl';
import { runExperiment } from '../../training';
import type { TrainingInput } from './engine';

export type WorkerMessage =
  | { type: 'trial'; trial: TrialResult; progress: AutoMLProgress }
  | { type: 'result'; result: AutoMLResult }
  | { type: 'error'; inputError: boolean; code: string; message: string };

// Cancellation needs no message: the engine terminates this thread, and the trial threads with it.
async function main(): Promise<void> {
  const { table, settings } = workerData as TrainingInput;
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  try {
    const result = await runExperiment({
      table,
      settings,
      nodes: settings.maxConcurrentTrials,
      onProgress: (progress) => {
        if (progress.lastTrial) post({ type: 'trial', trial: progress.lastTrial, progress });
      },
    });
    post({ type: 'result', result });
  } catch (err) {
    const e = err as { name?: string; code?: unknown; message?: string };
    const inputError = e?.name === 'DatasetError' || e?.name === 'TrainingInputError';
    post({ type: 'error', inputError, code: typeof e?.code === 'string' ? e.code : 'SystemError', message: e?.message ?? String(err) });
  }
}

void main();

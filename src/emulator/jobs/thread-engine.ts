// The default TrainingEngine: runs src/training's runExperiment in a worker thread, so training never stalls HTTP.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DatasetError, type AutoMLResult } from '../../automl';
import type { TrainingCallbacks, TrainingEngine, TrainingInput } from './engine';
import type { WorkerMessage } from './train-worker';

export class ThreadTrainingEngine implements TrainingEngine {
  constructor(private readonly workerFile = join(__dirname, 'train-worker.js')) {}

  train(input: TrainingInput, callbacks: TrainingCallbacks, signal: AbortSignal): Promise<AutoMLResult> {
    if (!existsSync(this.workerFile)) {
      return Promise.reject(new Error(`Training worker ${this.workerFile} is not built.`));
    }
    // An already-aborted signal never fires 'abort' again: check first.
    if (signal.aborted) return Promise.reject(new Error('canceled'));
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerFile, { workerData: input });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      // Cancel: nothing of a canceled run is kept, so the thread (and the trial threads it started) simply ends now.
      const onAbort = () => {
        settle(() => reject(new Error('canceled')));
        void worker.terminate();
      };
      signal.addEventListener('abort', onAbort);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'trial') callbacks.onTrial(m.trial, m.progress);
        else if (m.type === 'result') settle(() => resolve(m.result));
        else if (m.type === 'datasetError') settle(() => reject(DatasetError.fromJSON(m.error)));
        else settle(() => reject(new Error(m.message)));
      });
      worker.on('error', (err) => settle(() => reject(err)));
      worker.on('exit', (code) => {
        settle(() => reject(new Error(`The training thread exited (code ${code}) before returning a result.`)));
      });
    });
  }
}

// Worker-thread entry: parses the table, runs the AutoML experiment, and posts trials and the result back.
import { parentPort, workerData } from 'node:worker_threads';
import type { AutoMLProgress, AutoMLResult, TrialResult } from '../../automl/types';
import type { TrainingInput } from './engine';
import { runTraining } from './training-adapter';

export type WorkerMessage =
  | { type: 'trial'; trial: TrialResult; progress: AutoMLProgress }
  | { type: 'result'; result: AutoMLResult }
  | { type: 'error'; inputError: boolean; code: string; message: string };

async function main(): Promise<void> {
  const input = workerData as TrainingInput;
  const ac = new AbortController();
  parentPort?.on('message', (m: { type?: string }) => {
    if (m?.type === 'abort') ac.abort();
  });
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  try {
    const result = await runTraining(input, ac.signal, (trial, progress) => post({ type: 'trial', trial, progress }));
    post({ type: 'result', result });
  } catch (err) {
    const e = err as { name?: string; code?: unknown; message?: string };
    const inputError = e?.name === 'DatasetError' || e?.name === 'TrainingInputError';
    post({ type: 'error', inputError, code: typeof e?.code === 'string' ? e.code : 'SystemError', message: e?.message ?? String(err) });
  }
}

void main();

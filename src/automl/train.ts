// In-process AutoML: the whole experiment on the calling thread, on the caller's clock (tests, small data, no workers).
import { buildResult, prepareExperiment, refitOnAllRows, runTrial } from './experiment';
import { ExperimentSession } from './session';
import type { Table } from './table';
import type { AutoMLProgress, AutoMLResult, AutoMLSettings } from './types';

export interface TrainOptions {
  /** Milliseconds clock (e.g. Date.now); the engine reads no clock of its own. */
  now: () => number;
  onProgress?: (p: AutoMLProgress) => void;
  /** Checked between trials. */
  signal?: AbortSignal;
}

/**
 * Runs an AutoML experiment sequentially and returns the leaderboard, final model and artifact.
 * Throws DatasetError for unusable data. The worker-thread runner (src/training) runs the same
 * steps in parallel.
 */
export function train(table: Table, settings: AutoMLSettings, opts: TrainOptions): AutoMLResult {
  const start = opts.now();
  const prep = prepareExperiment(table, settings);
  const session = new ExperimentSession(prep, settings, 1);
  const deadline = start + settings.timeoutSeconds * 1000;
  for (;;) {
    if (opts.signal?.aborted || opts.now() >= deadline) session.stop();
    const step = session.next();
    if (step.kind !== 'trial') break;
    const t0 = opts.now();
    let result;
    try {
      const out = runTrial(prep, step.config, step.seed);
      result = session.record(step.id, step.config, (opts.now() - t0) / 1000, out);
    } catch (e) {
      const seconds = (opts.now() - t0) / 1000;
      result = session.record(step.id, step.config, seconds, undefined, 'Failed', (e as Error).message);
    }
    opts.onProgress?.(session.progress(result));
  }
  if (opts.signal?.aborted) throw new Error('The experiment was canceled.');
  const choice = session.chooseFinal();
  const params = new Map<number, unknown>();
  for (const m of choice.members) {
    const rec = session.records.find((r) => r.result.trialId === m.trialId)!;
    const holdout = prep.validation.method === 'holdout';
    params.set(
      m.trialId,
      holdout ? rec.model : refitOnAllRows(prep, session.configOf(m.trialId), rec.bestIteration, m.trialId),
    );
  }
  return buildResult(prep, session.ordered(), choice, params);
}

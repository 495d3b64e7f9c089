// Runs an AutoML experiment on a parsed table: trials in parallel worker threads, a time budget, progress, canceling.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  type AutoMLProgress,
  type AutoMLResult,
  type AutoMLSettings,
  buildResult,
  ExperimentSession,
  prepareExperiment,
  type Table,
  type TrialConfig,
} from '../automl';
import type { FromWorker, ToWorker } from './protocol';

export interface RunExperimentOptions {
  /** The dataset (parseCsv, or readDataset for a file). */
  table: Table;
  settings: AutoMLSettings;
  /** Worker threads ("compute nodes"); default: settings.maxConcurrentTrials, else min(4, cores). */
  nodes?: number;
  signal?: AbortSignal;
  onProgress?: (p: AutoMLProgress) => void;
}

/** Thrown when the caller's AbortSignal stops the experiment. */
export class ExperimentCanceledError extends Error {
  override readonly name = 'ExperimentCanceledError';
  constructor() {
    super('The experiment was canceled before it finished; no model was produced.');
  }
}

const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

interface Slot {
  worker: Worker;
  busy?: { id: number; config: TrialConfig; started: number; timer?: NodeJS.Timeout };
}

/**
 * Prepares features once, runs trials on `nodes` worker threads until the budget,
 * maxTrials or exitScore ends the search, then builds the final model. Same seed and nodes give
 * the same leaderboard when maxTrials (not the clock) ends the search.
 */
export async function runExperiment(opts: RunExperimentOptions): Promise<AutoMLResult> {
  const start = Date.now();
  if (!existsSync(WORKER_SCRIPT)) {
    throw new Error(
      `The trial worker script ${WORKER_SCRIPT} is missing: runExperiment runs from the compiled dist/ folder; ` +
        'run `npm run build` first.',
    );
  }
  const { settings, signal } = opts;
  if (signal?.aborted) throw new ExperimentCanceledError();
  const defaultNodes = settings.maxConcurrentTrials ?? Math.min(4, os.availableParallelism());
  const nodes = Math.max(1, Math.floor(opts.nodes ?? defaultNodes));
  const concurrency = Math.max(1, Math.min(nodes, settings.maxConcurrentTrials ?? nodes));
  const prep = prepareExperiment(opts.table, settings, concurrency);
  const session = new ExperimentSession(prep, settings, concurrency);
  // A failing progress listener must not take the experiment down with it.
  const report = (p: AutoMLProgress) => {
    try {
      opts.onProgress?.(p);
    } catch {
      /* the caller's listener failed; training goes on */
    }
  };
  const deadline = start + settings.timeoutSeconds * 1000;
  // Under cross-validation the final members are refitted on all rows after the search, so the
  // search ends early by an estimate of that refit (from the trials so far); holdout needs no refit.
  const refitReserveMs = (): number => {
    const v = prep.validation;
    if (v.method !== 'cv') return 0;
    // The likely members are the best trials: one fit each on (k+1)/k of a fold's rows, in parallel.
    const top = session.records
      .filter((r) => r.result.status === 'Completed')
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    const fitSecs = top.reduce((acc, r) => acc + (r.result.trainSeconds / v.folds) * 1.3, 0);
    return Math.min((fitSecs / concurrency) * 1000 + 500, settings.timeoutSeconds * 250);
  };
  const searchEnd = () => deadline - refitReserveMs();
  // Stop starting trials a little before the end: finishing (ensemble, explanation) needs a moment.
  const stopStarting = () => searchEnd() - Math.min(1000, settings.timeoutSeconds * 100);

  const slots: Slot[] = [];
  const spawn = (): Slot => {
    const worker = new Worker(WORKER_SCRIPT);
    worker.postMessage({ type: 'init', prep } satisfies ToWorker);
    return { worker };
  };
  for (let i = 0; i < concurrency; i++) slots.push(spawn());

  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const searchDone = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
  let ended = false;
  const end = (e?: unknown) => {
    if (ended) return;
    ended = true;
    if (e) fail(e);
    else finish();
  };

  const cancelSlot = (i: number, status: 'Canceled' | 'Failed', why: string) => {
    const s = slots[i];
    if (!s.busy) return;
    const b = s.busy;
    clearTimeout(b.timer);
    s.busy = undefined;
    void s.worker.terminate();
    const r = session.record(b.id, b.config, (Date.now() - b.started) / 1000, undefined, status, why);
    report(session.progress(r));
    slots[i] = ended ? { worker: s.worker } : attach(spawn(), i);
  };

  const pump = () => {
    if (ended) return;
    if (Date.now() >= stopStarting()) session.stop();
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s.busy) continue;
      const step = session.next();
      if (step.kind !== 'trial') break;
      const busy: Slot['busy'] = { id: step.id, config: step.config, started: Date.now() };
      if (settings.trialTimeoutSeconds) {
        busy.timer = setTimeout(() => {
          cancelSlot(i, 'Canceled', `trial exceeded trialTimeoutSeconds (${settings.trialTimeoutSeconds} s)`);
          pump();
        }, settings.trialTimeoutSeconds * 1000);
      }
      s.busy = busy;
      s.worker.postMessage({ type: 'trial', id: step.id, config: step.config, seed: step.seed } satisfies ToWorker);
    }
    if (slots.every((s) => !s.busy)) end();
  };

  function attach(s: Slot, i: number): Slot {
    s.worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'trial' || !s.busy || s.busy.id !== msg.id) return;
      const b = s.busy;
      clearTimeout(b.timer);
      s.busy = undefined;
      const r = msg.output
        ? session.record(msg.id, b.config, msg.seconds, msg.output)
        : session.record(msg.id, b.config, msg.seconds, undefined, 'Failed', msg.error);
      report(session.progress(r));
      pump();
    });
    s.worker.on('error', (e) => {
      if (ended) return;
      cancelSlot(i, 'Failed', `trial worker crashed: ${e.message}`);
      pump();
    });
    return s;
  }
  slots.forEach((s, i) => attach(s, i));

  const onAbort = () => end(new ExperimentCanceledError());
  signal?.addEventListener('abort', onAbort, { once: true });
  // At the end of the search, running trials are canceled so the budget holds.
  const ticker = setInterval(() => {
    if (ended) return;
    if (Date.now() >= searchEnd()) {
      session.stop();
      end(); // first, so canceled slots are not respawned
      for (let i = 0; i < slots.length; i++) cancelSlot(i, 'Canceled', 'experiment time budget reached');
    } else if (Date.now() >= stopStarting()) pump();
  }, 100);

  try {
    pump();
    await searchDone;
    const choice = session.chooseFinal();
    const params = new Map<number, unknown>();
    if (prep.validation.method === 'holdout') {
      for (const m of choice.members) {
        params.set(m.trialId, session.records.find((r) => r.result.trialId === m.trialId)!.model);
      }
    } else {
      await refitInWorkers(
        session,
        choice.members.map((m) => m.trialId),
        slots,
        spawn,
        params,
        signal,
      );
    }
    if (signal?.aborted) throw new ExperimentCanceledError();
    return buildResult(prep, session.ordered(), choice, params);
  } finally {
    clearInterval(ticker);
    signal?.removeEventListener('abort', onAbort);
    for (const s of slots) {
      clearTimeout(s.busy?.timer);
      void s.worker.terminate();
    }
  }
}

/** Cross-validation's final members, refitted on all rows on at most `slots.length` fresh workers. */
async function refitInWorkers(
  session: ExperimentSession,
  ids: number[],
  slots: Slot[],
  spawn: () => Slot,
  params: Map<number, unknown>,
  signal?: AbortSignal,
): Promise<void> {
  // The search's workers may have been terminated at the deadline: start clean ones.
  const n = Math.max(1, Math.min(slots.length, ids.length));
  for (const s of slots) void s.worker.terminate();
  slots.length = 0;
  for (let i = 0; i < n; i++) slots.push(spawn());
  const queue = [...ids];
  const runOn = (w: Worker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new ExperimentCanceledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const nextJob = () => {
        const id = queue.shift();
        if (id === undefined) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        const rec = session.records.find((r) => r.result.trialId === id)!;
        const config = session.configOf(id);
        w.postMessage({ type: 'refit', id, config, bestIteration: rec.bestIteration, seed: id } satisfies ToWorker);
      };
      w.on('message', (msg: FromWorker) => {
        if (msg.type !== 'refit') return;
        if (msg.error) {
          signal?.removeEventListener('abort', onAbort);
          reject(new Error(`Refitting trial ${msg.id} on all rows failed: ${msg.error}`));
          return;
        }
        params.set(msg.id, msg.params);
        nextJob();
      });
      w.on('error', reject);
      nextJob();
    });
  await Promise.all(slots.map((s) => runOn(s.worker)));
}

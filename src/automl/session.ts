// One experiment's search bookkeeping, shared by the in-process train() and the worker-thread runner:
// what to try next, what finished, when to stop.
import {
  chooseFinal,
  emptyMetrics,
  type FinalChoice,
  LIBRARY_SIZE,
  type PreparedExperiment,
  resolveSettings,
  type TrialOutput,
  type TrialRecord,
  trialSeed,
} from './experiment';
import { LEARNERS } from './learners';
import { scoreOf } from './metrics';
import { Searcher, type TrialConfig } from './search';
import type { AutoMLProgress, AutoMLSettings, TrialResult } from './types';

export type NextStep =
  { kind: 'trial'; id: number; config: TrialConfig; seed: number } | { kind: 'wait' } | { kind: 'done' };

/**
 * Deterministic scheduling with parallelism c: trial k is proposed only after trials 0..k-c are
 * known, and the searcher learns results strictly in trial order — so a seed gives the same
 * trials, whatever order parallel trials finish in.
 */
export class ExperimentSession {
  readonly records: TrialRecord[] = [];
  private readonly searcher: Searcher;
  private readonly results = new Map<number, TrialRecord>();
  private told = 0;
  private asked = 0;
  private stopped = false;
  private readonly settings: ReturnType<typeof resolveSettings>;

  constructor(
    readonly prep: PreparedExperiment,
    settings: AutoMLSettings,
    readonly concurrency: number,
  ) {
    this.settings = resolveSettings(settings);
    this.searcher = new Searcher(LEARNERS, this.settings.seed);
  }

  get maxTrials(): number {
    return this.settings.maxTrials ?? 1000;
  }

  /** Stops proposing trials (budget spent, canceled); running trials may still be recorded. */
  stop(): void {
    this.stopped = true;
  }

  next(): NextStep {
    if (this.stopped || this.asked >= this.maxTrials) return { kind: 'done' };
    const k = this.asked;
    while (this.told <= k - this.concurrency) {
      const r = this.results.get(this.told);
      if (!r) return { kind: 'wait' };
      this.searcher.tell(this.told, r.result.status === 'Completed' ? r.score : undefined, r.cost);
      this.told++;
    }
    const { id, config } = this.searcher.ask();
    this.asked++;
    return { kind: 'trial', id, config, seed: trialSeed(this.settings.seed, id) };
  }

  /** Records a trial's outcome (output undefined when it failed or was canceled) and returns its leaderboard row. */
  record(
    id: number,
    config: TrialConfig,
    seconds: number,
    output: TrialOutput | undefined,
    status: TrialResult['status'] = 'Completed',
    error?: string,
  ): TrialResult {
    const result: TrialResult = {
      trialId: id,
      algorithm: config.algorithm,
      hyperparameters: config.hyperparameters,
      metrics: output ? output.metrics : emptyMetrics(),
      trainSeconds: Math.round(seconds * 1000) / 1000,
      status: output ? status : status === 'Completed' ? 'Failed' : status,
    };
    if (error) result.error = error;
    const rec: TrialRecord = {
      result,
      score: output ? output.score : -Infinity,
      cost: output ? output.cost : 0,
      preds: output?.preds,
      model: output?.model,
      bestIteration: output?.bestIteration,
      scoreCost: output?.scoreCost,
    };
    this.records.push(rec);
    this.results.set(id, rec);
    this.pruneModels();
    const exit = this.settings.exitScore;
    if (output && exit !== undefined && output.score >= scoreOf(this.prep.primaryMetric, exit)) this.stop();
    return result;
  }

  /**
   * Keeps predictions and fitted models only for trials that can still enter the ensemble library
   * (the best LIBRARY_SIZE so far; a trial that drops out can never come back), so memory stays bounded.
   */
  private pruneModels(): void {
    const kept = this.records.filter((r) => r.preds !== undefined);
    if (kept.length <= LIBRARY_SIZE) return;
    kept.sort((a, b) => b.score - a.score || a.result.trialId - b.result.trialId);
    for (const r of kept.slice(LIBRARY_SIZE)) {
      r.model = undefined;
      r.preds = undefined;
    }
  }

  get completed(): number {
    return this.records.length;
  }

  progress(last?: TrialResult): AutoMLProgress {
    const pm = this.prep.primaryMetric;
    let best: TrialRecord | undefined;
    for (const r of this.records) if (r.result.status === 'Completed' && (!best || r.score > best.score)) best = r;
    const p: AutoMLProgress = { trialsDone: this.records.length };
    if (best) {
      p.bestMetric = best.result.metrics[pm];
      p.bestAlgorithm = best.result.algorithm;
    }
    if (last) p.lastTrial = last;
    return p;
  }

  /** The final model choice over all recorded trials, in trial order. */
  chooseFinal(): FinalChoice {
    const ordered = [...this.records].sort((a, b) => a.result.trialId - b.result.trialId);
    return chooseFinal(this.prep, ordered, this.settings.enableEnsemble);
  }

  ordered(): TrialRecord[] {
    return [...this.records].sort((a, b) => a.result.trialId - b.result.trialId);
  }

  configOf(id: number): TrialConfig {
    const r = this.results.get(id)!.result;
    return { algorithm: r.algorithm, hyperparameters: r.hyperparameters };
  }
}

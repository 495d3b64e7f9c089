// Paired bootstrap interval of the difference of a metric between two models scored on the same test rows.
import { metricValue, predWidth } from '../automl/metrics';
import { Rng } from '../automl/rng';
import type { PrimaryMetric } from '../automl/types';

export interface PairedBootstrapInput {
  metric: PrimaryMetric;
  /** Class code (0 .. nClasses - 1) of each test row. */
  labels: ArrayLike<number>;
  /**
   * Each model's predicted probabilities for the same rows, in the engine's layout (metrics.ts predWidth): two classes,
   * one probability of class 1 per row; more, a row-major rows x nClasses matrix.
   */
  champion: ArrayLike<number>;
  challenger: ArrayLike<number>;
  /** Default 2. */
  nClasses?: number;
  /** How many resamples; default 1000. */
  resamples?: number;
  /** Coverage of the interval, in (0, 1); default 0.95. */
  confidence?: number;
  seed: number;
}

export interface PairedBootstrapInterval {
  /** Challenger minus champion on all the test rows. */
  difference: number;
  /** Percentile interval of the difference over the resamples. */
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  rows: number;
}

/**
 * Resamples the test rows with replacement, the same rows for both models (paired), within each class (stratified:
 * every resample keeps each class's row count, so every metric stays defined), and takes the percentiles of the
 * challenger-minus-champion differences, interpolated linearly between order statistics (numpy.percentile's default).
 */
export function pairedBootstrap(input: PairedBootstrapInput): PairedBootstrapInterval {
  const { metric, labels, champion, challenger, seed } = input;
  const { nClasses = 2, resamples = 1000, confidence = 0.95 } = input;
  const rows = labels.length;
  const width = predWidth(nClasses);
  checkInput(input, nClasses, resamples, confidence);
  const score = (y: ArrayLike<number>, p: ArrayLike<number>) => metricValue(metric, y, p, nClasses);
  const difference = score(labels, challenger) - score(labels, champion);

  const strata = rowsByClass(labels, nClasses);
  const rng = new Rng(seed);
  const times = new Uint32Array(rows);
  const championSample = new Resample(labels, champion, width);
  const challengerSample = new Resample(labels, challenger, width);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    times.fill(0);
    for (const stratum of strata) {
      for (let k = 0; k < stratum.length; k++) times[stratum[rng.int(stratum.length)]]++;
    }
    championSample.draw(times);
    challengerSample.draw(times);
    differences[r] = score(challengerSample.y, challengerSample.p) - score(championSample.y, championSample.p);
  }
  differences.sort();
  const alpha = (1 - confidence) / 2;
  return {
    difference,
    low: percentile(differences, alpha),
    high: percentile(differences, 1 - alpha),
    confidence,
    resamples,
    rows,
  };
}

/**
 * One model's view of a resample: the rows drawn, each as many times as it was drawn, laid out in the order of the
 * model's own scores (highest first; two classes only). The metrics do not depend on row order, and their sorts
 * (metrics.ts) take near-linear time on input already in order: 1000 resamples of 6,500 rows took 0.66 s of CPU for
 * AUC_weighted and 1.4 s for average_precision_score_weighted, against 1.15 s and 6.0 s in row order.
 */
class Resample {
  readonly y: Uint8Array;
  readonly p: Float64Array;
  private readonly order: Uint32Array;
  constructor(
    private readonly labels: ArrayLike<number>,
    private readonly scores: ArrayLike<number>,
    private readonly width: number,
  ) {
    const rows = labels.length;
    this.y = new Uint8Array(rows);
    this.p = new Float64Array(rows * width);
    this.order = Uint32Array.from({ length: rows }, (_, i) => i);
    if (width === 1) this.order.sort((a, b) => scores[b] - scores[a]);
  }

  /** Fills y and p with row i repeated times[i] times. */
  draw(times: Uint32Array): void {
    const { labels, scores, width, order, y, p } = this;
    let at = 0;
    for (let o = 0; o < order.length; o++) {
      const row = order[o];
      for (let t = times[row]; t > 0; t--, at++) {
        y[at] = labels[row];
        for (let c = 0; c < width; c++) p[at * width + c] = scores[row * width + c];
      }
    }
  }
}

/** The test rows of each class present, in row order. */
function rowsByClass(labels: ArrayLike<number>, nClasses: number): Uint32Array[] {
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  return byClass.filter((rows) => rows.length > 0).map((rows) => Uint32Array.from(rows));
}

function checkInput(input: PairedBootstrapInput, nClasses: number, resamples: number, confidence: number): void {
  const { labels, metric } = input;
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new Error(`nClasses must be a whole number >= 2, got ${nClasses}`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples must be a whole number >= 1, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
  if (labels.length === 0) throw new Error('there are no test rows to compare the two models on');
  const seen = new Set<number>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= nClasses) {
      throw new Error(`label of test row ${i} is ${c}, not a class code 0..${nClasses - 1}`);
    }
    seen.add(c);
  }
  if (seen.size < 2) {
    throw new Error(`${metric} cannot compare two models on test rows of one class (all rows are class ${labels[0]})`);
  }
  const expected = labels.length * predWidth(nClasses);
  for (const side of ['champion', 'challenger'] as const) {
    const p = input[side];
    if (p.length !== expected) {
      throw new Error(
        `the ${side} has ${p.length} predicted probabilities for ${labels.length} test rows; expected ${expected}`,
      );
    }
    for (let i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) throw new Error(`the ${side}'s probability ${i} is ${p[i]}, not in [0, 1]`);
    }
  }
}

/** Linear interpolation between the order statistics around (n - 1) q. */
function percentile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

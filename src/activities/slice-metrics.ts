// The primary metric of the challenger and the champion on the test slice's labels, both over one class order, and
// a paired bootstrap interval of the difference.
import { higherIsBetter, metricValue, scoreOf, type PrimaryMetric } from '../automl';
import type { ModelEvaluation } from '../contract';
import { pairedBootstrap } from '../monitoring';
import type { ClassProbabilities } from '../smoketest';

export interface SliceComparison {
  challenger: number;
  champion?: number;
  /**
   * The challenger's advantage: challenger - champion, or champion - challenger for a loss (log_loss);
   * positive favours the challenger, as the gate's margin reads it.
   */
  difference?: number;
  /** The paired bootstrap interval of `difference`, read the same way. */
  interval?: ModelEvaluation['interval'];
}

/**
 * Classes in the challenger's own order (its reply's keys, the order it was trained with), then any the champion
 * or the labels add: a class one model never predicts counts as probability 0 for it, so both are judged alike.
 */
function classOrder(labels: string[], models: ClassProbabilities[][]): string[] {
  const classes = new Set<string>();
  for (const proba of models) for (const c of Object.keys(proba[0] ?? {})) classes.add(c);
  for (const c of [...new Set(labels)].sort()) classes.add(c);
  return [...classes];
}

/**
 * A served probability, held to [0, 1]: a model's float arithmetic (an ensemble's weighted average) can land a hair
 * outside, which the bootstrap refuses. NaN stays NaN, so a broken reply is still refused, by name.
 */
const unit = (p: number | undefined): number => (p === undefined ? 0 : Math.min(1, Math.max(0, p)));

/** Probabilities in metrics.ts's layout: P(classes[1]) for two classes, else a row-major n x K matrix. */
function probabilityMatrix(proba: ClassProbabilities[], classes: string[]): Float64Array {
  if (classes.length === 2) return Float64Array.from(proba, (p) => unit(p[classes[1]]));
  const K = classes.length;
  const out = new Float64Array(proba.length * K);
  proba.forEach((p, i) => classes.forEach((c, k) => (out[i * K + k] = unit(p[c]))));
  return out;
}

/** Scores both models' probabilities (row i answers labels[i]) with `metric`; `seed` drives the resamples. */
export function compareOnSlice(
  metric: PrimaryMetric,
  labels: string[],
  seed: number,
  challenger: ClassProbabilities[],
  champion?: ClassProbabilities[],
): SliceComparison {
  const classes = classOrder(labels, champion ? [challenger, champion] : [challenger]);
  const code = new Map(classes.map((c, k) => [c, k]));
  const y = Uint8Array.from(labels, (l) => code.get(l)!);
  const ourProba = probabilityMatrix(challenger, classes);
  const ours = metricValue(metric, y, ourProba, classes.length);
  if (!champion) return { challenger: ours };
  const theirProba = probabilityMatrix(champion, classes);
  const theirs = metricValue(metric, y, theirProba, classes.length);
  // The same resampled rows for both models: the interval is of the difference, much narrower than two intervals'
  // overlap would suggest, since both models find the same rows hard.
  const nClasses = classes.length;
  const boot = pairedBootstrap({ metric, labels: y, challenger: ourProba, champion: theirProba, nClasses, seed });
  // pairedBootstrap's difference is challenger - champion; for a loss the advantage is its negative.
  const interval = higherIsBetter(metric)
    ? { low: boot.low, high: boot.high, confidence: boot.confidence }
    : { low: -boot.high, high: -boot.low, confidence: boot.confidence };
  return {
    challenger: ours,
    champion: theirs,
    difference: scoreOf(metric, ours) - scoreOf(metric, theirs),
    interval,
  };
}

// Classification metrics as Azure AutoML reports them (binary case), from labels and positive-class probabilities.
import type { Metrics, PrimaryMetric } from './types';

export const METRIC_NAMES: PrimaryMetric[] = [
  'AUC_weighted',
  'accuracy',
  'AUC_macro',
  'average_precision_score_weighted',
  'f1_score_weighted',
  'log_loss',
  'norm_macro_recall',
];

/** Whether a larger value of the metric is better (only log_loss is a loss). */
export function higherIsBetter(m: PrimaryMetric): boolean {
  return m !== 'log_loss';
}

/** The metric turned into a score to maximise. */
export function scoreOf(m: PrimaryMetric, value: number): number {
  return higherIsBetter(m) ? value : -value;
}

/** ROC AUC of scores for the positive class (label 1); tied scores count one half (Mann-Whitney). */
export function rocAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  let pos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && p[order[j + 1]] === p[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) if (y[order[k]] === 1) (pos++, (rankSumPos += avgRank));
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (scikit-learn's step-wise definition, tied scores as one threshold). */
export function averagePrecision(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  let totalPos = 0;
  for (let i = 0; i < n; i++) totalPos += y[i] === 1 ? 1 : 0;
  if (totalPos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && p[order[j + 1]] === p[order[i]]) j++;
    for (let k = i; k <= j; k++) (y[order[k]] === 1 ? tp++ : fp++);
    const recall = tp / totalPos;
    const precision = tp / (tp + fp);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
    i = j + 1;
  }
  return ap;
}

/** All metrics for binary labels y (0/1) and probabilities p of class 1; predictions are p > 0.5. */
export function computeMetrics(y: ArrayLike<number>, p: ArrayLike<number>): Metrics {
  const n = y.length;
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let loss = 0;
  const eps = 1e-15;
  for (let i = 0; i < n; i++) {
    const pi = Math.min(Math.max(p[i], eps), 1 - eps);
    const pred = p[i] > 0.5 ? 1 : 0;
    if (y[i] === 1) {
      loss -= Math.log(pi);
      if (pred === 1) tp++;
      else fn++;
    } else {
      loss -= Math.log(1 - pi);
      if (pred === 1) fp++;
      else tn++;
    }
  }
  const n1 = tp + fn;
  const n0 = tn + fp;
  const auc = rocAuc(y, p);
  // Class 0's one-vs-rest view: labels flipped, scores 1 - p.
  const y0 = Array.from({ length: n }, (_, i) => 1 - (y[i] as number));
  const p0 = Array.from({ length: n }, (_, i) => 1 - (p[i] as number));
  const ap1 = averagePrecision(y, p);
  const ap0 = averagePrecision(y0, p0);
  const f1 = (tpc: number, fpc: number, fnc: number) => (tpc === 0 ? 0 : (2 * tpc) / (2 * tpc + fpc + fnc));
  const recall1 = n1 ? tp / n1 : 0;
  const recall0 = n0 ? tn / n0 : 0;
  return {
    // With two classes both one-vs-rest AUCs equal the binary AUC, so weighted = macro = AUC.
    AUC_weighted: auc,
    AUC_macro: auc,
    accuracy: (tp + tn) / n,
    average_precision_score_weighted: (n1 * ap1 + n0 * ap0) / n,
    f1_score_weighted: (n1 * f1(tp, fp, fn) + n0 * f1(tn, fn, fp)) / n,
    log_loss: loss / n,
    // (macro recall - 1/C) / (1 - 1/C) with C = 2: 0 for a constant guess, 1 for perfect.
    norm_macro_recall: Math.max(0, ((recall0 + recall1) / 2 - 0.5) / 0.5),
  };
}

/** One metric, computing only what it needs (the ensemble search calls this many times). */
export function metricValue(m: PrimaryMetric, y: ArrayLike<number>, p: ArrayLike<number>): number {
  if (m === 'AUC_weighted' || m === 'AUC_macro') return rocAuc(y, p);
  return computeMetrics(y, p)[m];
}

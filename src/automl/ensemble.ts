// Caruana ensemble selection: greedily add (with replacement)
// the trial whose predictions most improve the averaged validation score.
import { metricValue, scoreOf } from './metrics';
import type { PrimaryMetric } from './types';

export interface EnsembleChoice {
  /** Index into the candidate list -> weight (weights sum to 1). */
  weights: Map<number, number>;
  score: number;
}

/** Selects weights over candidates' validation predictions; `iterations` members are drawn in total. */
export function caruanaSelect(
  y: Uint8Array,
  preds: Float64Array[],
  metric: PrimaryMetric,
  iterations = 25,
  /** Per candidate scoring cost, and the most the distinct members may cost together. */
  costs?: number[],
  maxCost = Infinity,
  nClasses = 2,
): EnsembleChoice {
  const n = preds.length ? preds[0].length : 0; // rows x prediction width
  const sum = new Float64Array(n);
  const trial = new Float64Array(n);
  const counts = new Map<number, number>();
  let best = -Infinity;
  let bestCounts = new Map<number, number>();
  let spent = 0;
  for (let it = 1; it <= iterations; it++) {
    let pick = -1;
    let pickScore = -Infinity;
    for (let c = 0; c < preds.length; c++) {
      if (costs && !counts.has(c) && spent + costs[c] > maxCost) continue;
      const p = preds[c];
      for (let i = 0; i < n; i++) trial[i] = (sum[i] + p[i]) / it;
      const s = scoreOf(metric, metricValue(metric, y, trial, nClasses));
      if (s > pickScore) {
        pickScore = s;
        pick = c;
      }
    }
    if (pick < 0) break;
    const p = preds[pick];
    if (costs && !counts.has(pick)) spent += costs[pick];
    for (let i = 0; i < n; i++) sum[i] += p[i];
    counts.set(pick, (counts.get(pick) ?? 0) + 1);
    if (pickScore > best + 1e-12) {
      best = pickScore;
      bestCounts = new Map(counts);
    }
  }
  let total = 0;
  for (const v of bestCounts.values()) total += v;
  const weights = new Map<number, number>();
  for (const [k, v] of [...bestCounts.entries()].sort((a, b) => a[0] - b[0])) weights.set(k, v / total);
  return { weights, score: best };
}

// How far apart two distributions of categories (or histogram bins) are: Jensen-Shannon distance and PSI.

/** How many times each category (a predicted label, a feature value, a histogram bin) was seen. */
export type Counts = Record<string, number>;

/** Two count vectors over the same categories, in the same order. */
export interface AlignedCounts {
  categories: string[];
  baseline: Float64Array;
  live: Float64Array;
}

export interface DistributionDistance {
  /** Jensen-Shannon distance, base 2: 0 for the same distribution, 1 for distributions with no category in common. */
  jensenShannonDistance: number;
  /** Population stability index, Laplace-smoothed as Azure model monitoring does it (see populationStabilityIndex). */
  populationStabilityIndex: number;
}

/** Counts of each distinct value in a list, e.g. the labels a deployment predicted. */
export function countValues(values: Iterable<string>): Counts {
  const counts: Counts = Object.create(null);
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** Both count tables over the union of their categories (sorted, so the result does not depend on insertion order). */
export function alignCounts(baseline: Counts, live: Counts): AlignedCounts {
  const categories = [...new Set([...Object.keys(baseline), ...Object.keys(live)])].sort();
  const b = new Float64Array(categories.length);
  const l = new Float64Array(categories.length);
  categories.forEach((c, i) => {
    b[i] = countOf(baseline, c, 'baseline');
    l[i] = countOf(live, c, 'live');
  });
  return { categories, baseline: b, live: l };
}

function countOf(counts: Counts, category: string, side: string): number {
  // Own keys only: a label such as 'constructor' must not read Object.prototype's.
  const n = Object.hasOwn(counts, category) ? counts[category] : 0;
  if (!(n >= 0) || !Number.isFinite(n)) {
    throw new Error(`the ${side} count of '${category}' must be a finite number >= 0, got ${n}`);
  }
  return n;
}

/** Both distances between two count tables (e.g. the predicted labels of a champion and of a challenger). */
export function distributionDistance(baseline: Counts, live: Counts): DistributionDistance {
  const a = alignCounts(baseline, live);
  return {
    jensenShannonDistance: jensenShannonDistance(a.baseline, a.live),
    populationStabilityIndex: populationStabilityIndex(a.baseline, a.live),
  };
}

/**
 * Counts of probabilities in `bins` equal-width bins over [0, 1] (the last bin includes 1), so two models' predicted
 * probabilities can be compared as distributions when their labels alone say too little.
 */
export function probabilityHistogram(probabilities: ArrayLike<number>, bins = 10): Float64Array {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`a histogram needs a whole number of bins >= 1, got ${bins}`);
  }
  const counts = new Float64Array(bins);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (!(p >= 0 && p <= 1)) throw new Error(`probability ${i} is ${p}, not a number in [0, 1]`);
    counts[Math.min(bins - 1, Math.floor(p * bins))]++;
  }
  return counts;
}

/**
 * Jensen-Shannon distance between two count vectors over the same categories, each normalised to sum 1:
 * √(½ KL(p‖m) + ½ KL(q‖m)) with m = ½(p + q) and base-2 logarithms, so it lies in [0, 1]
 * (scipy.spatial.distance.jensenshannon(p, q, base=2), which Azure model monitoring calls).
 */
export function jensenShannonDistance(baseline: ArrayLike<number>, live: ArrayLike<number>): number {
  const [p, q] = normalised(baseline, live);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) divergence += p[i] * Math.log2(p[i] / m);
    if (q[i] > 0) divergence += q[i] * Math.log2(q[i] / m);
  }
  // Rounding can leave a hair below 0 for equal distributions or above 1 for disjoint ones.
  return Math.min(1, Math.sqrt(Math.max(0, divergence / 2)));
}

/**
 * Population stability index Σ (l - b) ln(l / b) over the categories, with Azure model monitoring's Laplace smoothing
 * so that an empty category does not make it infinite: each share is (count + 1) / (total + categories).
 * Source: Azure/azureml-assets, assets/model_monitoring/components/src/data_drift_compute_metrics/
 * categorical_data_drift_metrics.py (_psi_categorical) and numerical_data_drift_metrics.py (_psi_numerical).
 */
export function populationStabilityIndex(baseline: ArrayLike<number>, live: ArrayLike<number>): number {
  const [bTotal, lTotal] = totals(baseline, live);
  const k = baseline.length;
  let psi = 0;
  for (let i = 0; i < k; i++) {
    const b = (baseline[i] + 1) / (bTotal + k);
    const l = (live[i] + 1) / (lTotal + k);
    psi += (l - b) * Math.log(l / b);
  }
  return psi;
}

function normalised(baseline: ArrayLike<number>, live: ArrayLike<number>): [Float64Array, Float64Array] {
  const [bTotal, lTotal] = totals(baseline, live);
  const p = Float64Array.from(baseline, (c) => c / bTotal);
  const q = Float64Array.from(live, (c) => c / lTotal);
  return [p, q];
}

/** The two totals, after checking that the vectors line up and neither is empty. */
function totals(baseline: ArrayLike<number>, live: ArrayLike<number>): [number, number] {
  if (baseline.length !== live.length) {
    throw new Error(`the two distributions have ${baseline.length} and ${live.length} categories; align them first`);
  }
  const sum = (v: ArrayLike<number>, side: string) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] >= 0) || !Number.isFinite(v[i])) throw new Error(`${side} count ${i} is ${v[i]}, not a number >= 0`);
      s += v[i];
    }
    if (s === 0) throw new Error(`the ${side} distribution is empty: nothing to compare`);
    return s;
  };
  return [sum(baseline, 'baseline'), sum(live, 'live')];
}

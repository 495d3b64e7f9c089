// Data drift per feature with Azure model monitoring's metrics: Jensen-Shannon distance, PSI and Pearson's
// chi-squared test for categorical features; normalized Wasserstein distance and the two-sample
// Kolmogorov-Smirnov test for numeric ones.
import {
  type AlignedCounts,
  alignCounts,
  type Counts,
  distributionDistance,
  type DistributionDistance,
} from './distribution-distance';
import { chiSquaredSurvival, kolmogorovSurvival } from './p-values';
import { categoriesOf, type CollectedRow, type Feature, numbersOf } from './values';

export interface ChiSquaredTest {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}

export interface KolmogorovSmirnovTest {
  /** The largest gap between the two empirical distribution functions. */
  statistic: number;
  pValue: number;
}

export interface CategoricalDrift extends DistributionDistance {
  pearsonsChiSquaredTest: ChiSquaredTest;
}

export interface NumericDrift {
  normalizedWassersteinDistance: number;
  twoSampleKolmogorovSmirnovTest: KolmogorovSmirnovTest;
}

interface ValuesCompared {
  feature: string;
  /** How many values each side had once missing values and type errors were left out. */
  baselineValues: number;
  liveValues: number;
}

/** One feature's drift; the metrics are null when either side has no value for it (all missing). */
export type FeatureDrift =
  | (ValuesCompared & { type: 'categorical' | 'boolean' } & Nullable<CategoricalDrift>)
  | (ValuesCompared & { type: 'numeric' } & Nullable<NumericDrift>);

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * Drift of every feature between baseline rows (the serving model's training data) and live rows (collected
 * inputs). Missing values and values of the wrong type are left out here: data quality reports them.
 */
export function dataDrift(
  features: readonly Feature[],
  baseline: readonly CollectedRow[],
  live: readonly CollectedRow[],
): FeatureDrift[] {
  return features.map(({ name, type }) => {
    if (type === 'numeric') {
      const b = numbersOf(baseline, name);
      const l = numbersOf(live, name);
      const drift = b.length && l.length ? numericDrift(b, l) : NO_NUMERIC_DRIFT;
      return { feature: name, type, baselineValues: b.length, liveValues: l.length, ...drift };
    }
    const b = categoriesOf(baseline, name);
    const l = categoriesOf(live, name);
    const [nb, nl] = [total(b), total(l)];
    const drift = nb && nl ? categoricalDrift(b, l) : NO_CATEGORICAL_DRIFT;
    return { feature: name, type, baselineValues: nb, liveValues: nl, ...drift };
  });
}

const NO_NUMERIC_DRIFT: Nullable<NumericDrift> = {
  normalizedWassersteinDistance: null,
  twoSampleKolmogorovSmirnovTest: null,
};
const NO_CATEGORICAL_DRIFT: Nullable<CategoricalDrift> = {
  jensenShannonDistance: null,
  populationStabilityIndex: null,
  pearsonsChiSquaredTest: null,
};

function total(counts: Counts): number {
  let n = 0;
  for (const k in counts) n += counts[k];
  return n;
}

/** Drift of one categorical feature from the counts of its categories on each side. */
export function categoricalDrift(baseline: Counts, live: Counts): CategoricalDrift {
  const distances = distributionDistance(baseline, live);
  return { ...distances, pearsonsChiSquaredTest: chiSquaredTest(alignCounts(baseline, live)) };
}

/**
 * Pearson's chi-squared goodness-of-fit test of the live counts against the baseline's shares, as Azure model
 * monitoring runs it (scipy.stats.chisquare(live, baseline share × live total), categories from both sides,
 * k - 1 degrees of freedom; Azure/azureml-assets, assets/model_monitoring/components/src/data_drift_compute_metrics/
 * categorical_data_drift_metrics.py, _chisquaretest). A live category the baseline never had expects 0 rows: the
 * statistic is infinite and the p-value 0. A single category on both sides is no evidence of drift: p-value 1.
 */
function chiSquaredTest({ baseline, live }: AlignedCounts): ChiSquaredTest {
  let bTotal = 0;
  let lTotal = 0;
  for (let i = 0; i < baseline.length; i++) {
    bTotal += baseline[i];
    lTotal += live[i];
  }
  if (bTotal === 0 || lTotal === 0) throw new Error('a chi-squared test needs counts on both sides; one side is empty');
  const degreesOfFreedom = baseline.length - 1;
  if (degreesOfFreedom === 0) return { statistic: 0, degreesOfFreedom, pValue: 1 };
  let statistic = 0;
  for (let i = 0; i < baseline.length; i++) {
    const expected = (baseline[i] / bTotal) * lTotal;
    const gap = live[i] - expected;
    statistic += expected === 0 ? (live[i] > 0 ? Infinity : 0) : (gap * gap) / expected;
  }
  return { statistic, degreesOfFreedom, pValue: chiSquaredSurvival(statistic, degreesOfFreedom) };
}

/** Drift of one numeric feature from its values on each side (no missing values). */
export function numericDrift(baseline: ArrayLike<number>, live: ArrayLike<number>): NumericDrift {
  const b = sortedFinite(baseline, 'baseline');
  const l = sortedFinite(live, 'live');
  const { wasserstein, ks } = compareEcdfs(b, l);
  const en = (b.length * l.length) / (b.length + l.length);
  return {
    normalizedWassersteinDistance: wasserstein / wassersteinNorm(b),
    twoSampleKolmogorovSmirnovTest: { statistic: ks, pValue: kolmogorovSurvival(Math.sqrt(en) * ks) },
  };
}

/**
 * Azure divides the Wasserstein distance by the baseline's sample standard deviation, at least 0.001 (also when the
 * baseline is constant or has one value), so the distance reads in baseline standard deviations. Source:
 * Azure/azureml-assets, assets/model_monitoring/components/src/data_drift_compute_metrics/
 * numerical_data_drift_metrics.py, _normalized_wasserstein (scipy.stats.wasserstein_distance / max(stddev, 0.001)).
 */
function wassersteinNorm(baseline: Float64Array): number {
  const sd = sampleStandardDeviation(baseline);
  return sd > 0.001 ? sd : 0.001;
}

/**
 * One walk over both sorted samples' empirical distribution functions F and G: the Wasserstein-1 distance ∫|F - G| dx
 * (scipy.stats.wasserstein_distance) and the Kolmogorov-Smirnov statistic max |F - G| (scipy.stats.ks_2samp), both
 * read after all values tied at a point are taken in.
 */
function compareEcdfs(b: Float64Array, l: Float64Array): { wasserstein: number; ks: number } {
  const n = b.length;
  const m = l.length;
  let i = 0;
  let j = 0;
  let x = Math.min(b[0], l[0]);
  let wasserstein = 0;
  let ks = 0;
  while (i < n || j < m) {
    const next = Math.min(i < n ? b[i] : Infinity, j < m ? l[j] : Infinity);
    const gap = Math.abs(i / n - j / m);
    wasserstein += gap * (next - x);
    x = next;
    while (i < n && b[i] === next) i++;
    while (j < m && l[j] === next) j++;
    ks = Math.max(ks, Math.abs(i / n - j / m));
  }
  return { wasserstein, ks };
}

function sortedFinite(values: ArrayLike<number>, side: string): Float64Array {
  if (values.length === 0) throw new Error(`the ${side} sample is empty: nothing to compare`);
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new Error(`${side} value ${i} is ${out[i]}; leave missing values out first`);
  }
  return out.sort();
}

/** Standard deviation with n - 1 in the denominator (Spark's stddev, which Azure uses); NaN for one value. */
function sampleStandardDeviation(x: Float64Array): number {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
  return Math.sqrt(ss / (n - 1));
}

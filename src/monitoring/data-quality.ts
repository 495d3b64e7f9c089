// Data quality of collected rows against the baseline (the serving model's training data), with Azure model
// monitoring's metric names: null value rate, data type error rate, out-of-bounds rate; and the unseen category rate.
import { type CollectedRow, type Feature, MISSING, readCategory, readNumber, TYPE_ERROR } from './values';

/** What the baseline says a feature's values may be: plain data, so it can be stored with the model. */
export type BaselineProfile =
  | { feature: string; type: 'numeric'; min: number | null; max: number | null }
  | { feature: string; type: 'categorical' | 'boolean'; categories: string[] };

export interface FeatureDataQuality {
  feature: string;
  type: Feature['type'];
  rows: number;
  /** Rows with no value: absent, null, or a missing token such as '' or 'NA' (the featurizer's list). */
  nullValueRate: number;
  /** Rows whose value cannot be read as the feature's type (a word in a numeric feature, an object anywhere). */
  dataTypeErrorRate: number;
  /** Numeric features: rows outside the baseline's [min, max]. */
  outOfBoundsRate?: number;
  /** Categorical and boolean features: rows with a category the baseline never had. */
  unseenCategoryRate?: number;
}

/** The range of each numeric feature and the categories of the others, as the baseline rows have them. */
export function profileBaseline(features: readonly Feature[], rows: readonly CollectedRow[]): BaselineProfile[] {
  return features.map(({ name, type }) => {
    if (type !== 'numeric') {
      const categories = new Set<string>();
      for (const row of rows) {
        const c = readCategory(row[name]);
        if (typeof c === 'string') categories.add(c);
      }
      return { feature: name, type, categories: [...categories].sort() };
    }
    let min = Infinity;
    let max = -Infinity;
    for (const row of rows) {
      const x = readNumber(row[name]);
      if (typeof x === 'number') {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    return min <= max ? { feature: name, type, min, max } : { feature: name, type, min: null, max: null };
  });
}

/**
 * Each rate is a share of all rows, and each row counts in at most one of them (missing, then type error, then out
 * of bounds or unseen), as in Azure's data quality component, which counts nulls, then imputes them before the type
 * and bounds checks (Azure/azureml-assets, assets/model_monitoring/components/src/data_quality_compute_metrics/
 * compute_data_quality_metrics.py). Azure folds unseen categories into its out-of-bounds rate; here they have
 * their own name. A numeric feature whose baseline had no values has no bounds to break.
 */
export function dataQuality(profiles: readonly BaselineProfile[], rows: readonly CollectedRow[]): FeatureDataQuality[] {
  const n = rows.length;
  if (n === 0) throw new Error('data quality needs at least one row; the window is empty');
  return profiles.map((profile) => {
    let missing = 0;
    let typeErrors = 0;
    let outside = 0;
    if (profile.type === 'numeric') {
      const { min, max } = profile;
      for (const row of rows) {
        const x = readNumber(row[profile.feature]);
        if (x === MISSING) missing++;
        else if (x === TYPE_ERROR) typeErrors++;
        else if (min !== null && max !== null && (x < min || x > max)) outside++;
      }
    } else {
      const known = new Set(profile.categories);
      for (const row of rows) {
        const c = readCategory(row[profile.feature]);
        if (c === MISSING) missing++;
        else if (c === TYPE_ERROR) typeErrors++;
        else if (!known.has(c)) outside++;
      }
    }
    const base = { feature: profile.feature, type: profile.type, rows: n };
    const rates = { nullValueRate: missing / n, dataTypeErrorRate: typeErrors / n };
    return profile.type === 'numeric'
      ? { ...base, ...rates, outOfBoundsRate: outside / n }
      : { ...base, ...rates, unseenCategoryRate: outside / n };
  });
}

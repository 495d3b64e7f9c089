// The fitted featurizer: turns raw rows into one numeric feature per kept column (NaN = missing), identically at training and scoring time.
import type { ColumnSchema, ColumnType, RawRow } from './types';

/**
 * Strings that mean "no value" in any column ('.' is SAS's and Stata's missing value). 'unknown'
 * is NOT here: it is often a real category.
 */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '#n/a', '.']);

export function isMissing(v: RawRow[string]): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v === 'boolean') return false;
  return MISSING_TOKENS.has(v.trim().toLowerCase());
}

/** A finite number, or NaN when the value is missing or not a number. */
export function toNumber(v: RawRow[string]): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return NaN;
  const s = v.trim();
  if (s === '') return NaN;
  const x = Number(s);
  return Number.isFinite(x) ? x : NaN;
}

/** The category string of a raw value (numbers and booleans as JavaScript prints them). */
export function toCategory(v: RawRow[string]): string | undefined {
  if (isMissing(v)) return undefined;
  return typeof v === 'string' ? v.trim() : String(v);
}

/** How one kept raw column becomes one feature. Plain data: it is stored in the model artifact. */
export interface FeatureSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /**
   * categorical: the kept categories, in code order (ordered by smoothed target rate, so a tree's
   * "code <= t" splits are the best binary partitions); boolean: [false-like, true-like], compared
   * case-insensitively.
   */
  categories?: string[];
  /** Code of the "other" bucket (rare categories at training, unseen ones at scoring); absent = treat as missing. */
  otherCode?: number;
}

export interface FeaturizerSpec {
  features: FeatureSpec[];
}

/** A featurizer ready to transform rows; lookup tables are built once from the spec. */
export class Featurizer {
  readonly nFeatures: number;
  private readonly lookups: (Map<string, number> | undefined)[];
  constructor(readonly spec: FeaturizerSpec) {
    this.nFeatures = spec.features.length;
    this.lookups = spec.features.map((f) => {
      if (f.type === 'numeric' || !f.categories) return undefined;
      const m = new Map<string, number>();
      f.categories.forEach((c, i) => m.set(f.type === 'boolean' ? c.toLowerCase() : c, i));
      return m;
    });
  }

  /** Encodes one value of feature j. */
  encode(j: number, v: RawRow[string]): number {
    const f = this.spec.features[j];
    if (f.type === 'numeric') return toNumber(v);
    if (f.type === 'boolean' && typeof v === 'boolean') return v ? 1 : 0;
    const c = toCategory(v);
    if (c === undefined) return NaN;
    const code = this.lookups[j]!.get(f.type === 'boolean' ? c.toLowerCase() : c);
    if (code !== undefined) return code;
    return f.otherCode ?? NaN;
  }

  /** Row-major matrix (rows x features); missing columns and unseen categories never throw. */
  transform(rows: readonly RawRow[]): Float64Array {
    const F = this.nFeatures;
    const X = new Float64Array(rows.length * F);
    const names = this.spec.features.map((f) => f.name);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const base = i * F;
      for (let j = 0; j < F; j++) X[base + j] = this.encode(j, row ? row[names[j]] : undefined);
    }
    return X;
  }

  inputSchema(): ColumnSchema[] {
    return this.spec.features.map((f) => {
      const s: ColumnSchema = { name: f.name, type: f.type, nullable: f.nullable };
      if (f.categories) s.categories = [...f.categories];
      return s;
    });
  }
}

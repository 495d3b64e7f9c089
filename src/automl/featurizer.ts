// The fitted featurizer: turns raw rows into one numeric feature per kept column (NaN = missing),
// identically at training and scoring time.
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
  /**
   * Per categorical feature, the same lookup when a string value can be looked up as sent: every
   * category is already trimmed and none is a missing token, so an exact hit is what encode()'s
   * trim/missing checks would find too. Undefined otherwise (the general path decides).
   */
  private readonly exact: (Map<string, number> | undefined)[];
  private readonly names: string[];
  constructor(readonly spec: FeaturizerSpec) {
    this.nFeatures = spec.features.length;
    this.names = spec.features.map((f) => f.name);
    this.lookups = spec.features.map((f) => {
      if (f.type === 'numeric' || !f.categories) return undefined;
      const m = new Map<string, number>();
      f.categories.forEach((c, i) => m.set(f.type === 'boolean' ? c.toLowerCase() : c, i));
      return m;
    });
    this.exact = spec.features.map((f, j) =>
      f.type === 'categorical' && f.categories && f.categories.every((c) => c === c.trim() && !isMissing(c))
        ? this.lookups[j]
        : undefined,
    );
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
    const names = this.names;
    const exact = this.exact;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const base = i * F;
      for (let j = 0; j < F; j++) {
        const v = row ? row[names[j]] : undefined;
        if (typeof v === 'number' && exact[j] === undefined && this.spec.features[j].type === 'numeric') {
          X[base + j] = Number.isFinite(v) ? v : NaN;
          continue;
        }
        const code = typeof v === 'string' ? exact[j]?.get(v) : undefined;
        X[base + j] = code !== undefined ? code : this.encode(j, v);
      }
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

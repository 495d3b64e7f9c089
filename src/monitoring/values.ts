// Reads one feature's values out of collected rows the way the scoring featurizer reads them: number, category,
// missing, or a value of the wrong type.
import { isMissing, toCategory, toNumber } from '../automl/featurizer';
import type { ColumnType, RawRow } from '../automl/types';

/** A row as collected from a deployment's inputs (parsed JSON): any value may be of any type. */
export type CollectedRow = Readonly<Record<string, unknown>>;

/** A feature as the training data defined it. */
export interface Feature {
  name: string;
  type: ColumnType;
}

export const MISSING = Symbol('missing');
export const TYPE_ERROR = Symbol('type error');

/** Symbols rather than result objects: a monitoring run reads millions of values. */
export type Read<T> = T | typeof MISSING | typeof TYPE_ERROR;

/** The value as a number; strings that are not numbers, objects and arrays are type errors. */
export function readNumber(v: unknown): Read<number> {
  if (!isScalar(v)) return TYPE_ERROR;
  if (isMissing(v)) return MISSING;
  const x = toNumber(v);
  return Number.isNaN(x) ? TYPE_ERROR : x;
}

/** The value as a category string (numbers and booleans as printed); objects and arrays are type errors. */
export function readCategory(v: unknown): Read<string> {
  if (!isScalar(v)) return TYPE_ERROR;
  return toCategory(v) ?? MISSING;
}

/** The feature's numbers in `rows`, leaving out missing values and type errors (data quality counts those). */
export function numbersOf(rows: readonly CollectedRow[], name: string): Float64Array {
  const out = new Float64Array(rows.length);
  let n = 0;
  for (const row of rows) {
    const x = readNumber(row[name]);
    if (typeof x === 'number') out[n++] = x;
  }
  return out.subarray(0, n);
}

/** How often each category of the feature occurs in `rows`, leaving out missing values and type errors. */
export function categoriesOf(rows: readonly CollectedRow[], name: string): Record<string, number> {
  const counts: Record<string, number> = Object.create(null);
  for (const row of rows) {
    const c = readCategory(row[name]);
    if (typeof c === 'string') counts[c] = (counts[c] ?? 0) + 1;
  }
  return counts;
}

function isScalar(v: unknown): v is RawRow[string] {
  return v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

// Looks at a raw table once: column types, target classes, what to drop and why, and Azure-style data guardrails.
import { DatasetError } from './errors';
import { type FeatureSpec, type FeaturizerSpec, isMissing, toCategory, toNumber } from './featurizer';
import type { Table } from './table';
import type { Guardrail } from './types';

export const MIN_ROWS = 50;
/** More distinct target values than this is not a classification task (or not one worth an AutoML run). */
export const MAX_CLASSES = 50;
/** Categorical columns keep at most this many categories; the rest share one "other" code. */
export const MAX_CATEGORIES = 100;
/** Integer columns with at most this many distinct values are treated as categories (codes, grades, classes). */
const MAX_INT_LEVELS_AS_CATEGORY = 4;

const BOOLEAN_PAIRS: [string, string][] = [
  ['no', 'yes'],
  ['false', 'true'],
  ['n', 'y'],
  ['f', 't'],
  ['0', '1'],
  ['off', 'on'],
];

function booleanPair(values: string[]): [string, string] | undefined {
  if (values.length !== 2) return undefined;
  const lower = values.map((v) => v.toLowerCase());
  for (const [f, t] of BOOLEAN_PAIRS) {
    const fi = lower.indexOf(f);
    const ti = lower.indexOf(t);
    if (fi >= 0 && ti >= 0) return [values[fi], values[ti]];
  }
  return undefined;
}

export interface DroppedColumn {
  column: string;
  reason: string;
}

export interface Inference {
  featurizer: FeaturizerSpec;
  dropped: DroppedColumn[];
  guardrails: Guardrail[];
  /** Class labels; index 1 is the "positive" class whose probability the learners predict. */
  classes: string[];
  /** 0/1 label per kept row. */
  y: Uint8Array;
  /** Indices of the table's rows used (rows with a missing target are left out). */
  rowIndex: Uint32Array;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Validates the target and returns the classes and per-row labels. */
export function inferTarget(
  table: Table,
  target: string,
): { classes: string[]; y: Uint8Array; rowIndex: Uint32Array; droppedRows: number } {
  if (!table.columns.includes(target)) {
    throw new DatasetError(
      'TargetColumnMissing',
      `The target column "${target}" is not in the dataset. Its columns are: ${table.columns.join(', ')}. ` +
        'Set the target to one of these (names are case-sensitive).',
      { columns: table.columns },
    );
  }
  const labels: string[] = [];
  const idx: number[] = [];
  const counts = new Map<string, number>();
  const { levels, codes } = table.cells[table.columns.indexOf(target)];
  for (let i = 0; i < table.nRows; i++) {
    const c = toCategory(levels[codes[i]]);
    if (c === undefined) continue;
    labels.push(c);
    idx.push(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  if (idx.length < MIN_ROWS) {
    throw new DatasetError(
      'TooFewRows',
      `The dataset has ${idx.length} rows with a value in "${target}"; ` +
        `at least ${MIN_ROWS} are needed to train and validate a model. Add more rows.`,
    );
  }
  const distinct = [...counts.keys()];
  if (distinct.length === 1) {
    throw new DatasetError(
      'SingleClass',
      `The target column "${target}" has a single value ("${distinct[0]}") in all ${idx.length} rows; ` +
        'a classifier needs at least two classes. ' +
        'Check that you chose the right target column and that the file holds both outcomes.',
    );
  }
  const numeric = distinct.every((d) => Number.isFinite(Number(d)));
  if (distinct.length > MAX_CLASSES) {
    throw new DatasetError(
      'TooManyClasses',
      `The target column "${target}" has ${distinct.length} distinct values` +
        (numeric ? ' and looks numeric (a regression target)' : '') +
        `; this engine trains classifiers with at most ${MAX_CLASSES} classes. ` +
        'Choose a categorical target, or group its values into fewer classes.',
    );
  }
  const pair = booleanPair(distinct);
  // Classes in a stable order: false-like before true-like, numbers numerically, otherwise alphabetically.
  const classes = pair
    ? [pair[0], pair[1]]
    : numeric
      ? [...distinct].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1))
      : [...distinct].sort();
  for (const c of classes) {
    if ((counts.get(c) ?? 0) < 5) {
      throw new DatasetError(
        'TooFewRowsInClass',
        `The class "${c}" of "${target}" has only ${counts.get(c)} rows; ` +
          'at least 5 per class are needed to validate a model. Add more examples of it.',
      );
    }
  }
  const code = new Map(classes.map((c, k) => [c, k]));
  const y = new Uint8Array(idx.length);
  for (let i = 0; i < labels.length; i++) y[i] = code.get(labels[i])!;
  return { classes, y, rowIndex: Uint32Array.from(idx), droppedRows: table.nRows - idx.length };
}

export interface InferOptions {
  /**
   * Kept rows (by position among rows with a target) whose labels may order categories; the
   * others (validation rows) are left out so their labels cannot leak into the features.
   */
  labelRows?: Uint8Array;
}

/** Infers column types, drops constant and ID-like columns, orders categories by target rate. */
export function inferDataset(table: Table, target: string, options: InferOptions = {}): Inference {
  const { classes, y, rowIndex, droppedRows } = inferTarget(table, target);
  const labelRows = options.labelRows;
  const n = rowIndex.length;
  const K = classes.length;
  const classCounts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) classCounts[y[i]]++;
  // Two classes: categories are ordered by their rate of classes[1]. More classes have no single
  // such rate, so categories are ordered by frequency instead.
  const yOrder = K === 2 ? y : undefined;
  const prior = K === 2 ? classCounts[1] / n : 0;
  const features: FeatureSpec[] = [];
  const dropped: DroppedColumn[] = [];
  const imputed: string[] = [];
  const capped: string[] = [];

  for (const [j, name] of table.columns.entries()) {
    if (name === target) continue;
    const { levels, codes } = table.cells[j];
    const raw = new Array<string | undefined>(n);
    let missing = 0;
    let numericCount = 0;
    const counts = new Map<string, number>();
    const nums = new Set<number>();
    let allInts = true;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = levels[codes[rowIndex[i]]];
      if (isMissing(v)) {
        missing++;
        continue;
      }
      const c = toCategory(v)!;
      raw[i] = c;
      counts.set(c, (counts.get(c) ?? 0) + 1);
      const x = toNumber(v);
      if (!Number.isNaN(x)) {
        numericCount++;
        if (nums.size <= 1000) nums.add(x); // enough to tell few levels from many
        if (!Number.isInteger(x)) allInts = false;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
    const present = n - missing;
    if (present === 0) {
      dropped.push({ column: name, reason: 'all values are missing' });
      continue;
    }
    const nonNumericDistinct = [...counts.keys()].filter((k) => Number.isNaN(toNumber(k))).length;
    // Mostly numbers with a few stray tokens ("unknown", "-") is a numeric column with missing values.
    const isNumeric = numericCount >= 0.95 * present && nonNumericDistinct <= 3;
    const nullable = missing > 0 || (isNumeric && numericCount < present);
    if (counts.size === 1 && !nullable) {
      dropped.push({ column: name, reason: `constant (every row is "${[...counts.keys()][0]}")` });
      continue;
    }
    if (isNumeric) {
      const distinctNums = nums.size;
      const pair = booleanPair([...counts.keys()].filter((k) => !Number.isNaN(toNumber(k))));
      if (allInts && counts.size === present && missing === 0 && n >= 20) {
        const consecutive = max - min === present - 1;
        if (consecutive || /(^|[^a-z])id$|^id([^a-z]|$)|Id$|ID$/.test(name)) {
          dropped.push({ column: name, reason: 'ID-like (a distinct integer in every row)' });
          continue;
        }
      }
      if (pair && distinctNums === 2) {
        features.push({ name, type: 'boolean', nullable, categories: pair });
      } else if (
        allInts &&
        distinctNums >= 3 &&
        distinctNums <= MAX_INT_LEVELS_AS_CATEGORY &&
        nonNumericDistinct === 0
      ) {
        features.push(orderedCategorical(name, raw, yOrder, prior, nullable, capped, labelRows));
      } else {
        features.push({ name, type: 'numeric', nullable });
      }
    } else {
      const pair = booleanPair([...counts.keys()]);
      if (pair) {
        features.push({ name, type: 'boolean', nullable, categories: pair });
      } else if (counts.size > 0.9 * present && present >= 20) {
        dropped.push({ column: name, reason: `ID-like (${counts.size} distinct values in ${present} rows)` });
        continue;
      } else {
        features.push(orderedCategorical(name, raw, yOrder, prior, nullable, capped, labelRows));
      }
    }
    if (nullable) imputed.push(`${name} (${pct(missing / n)} missing)`);
  }

  if (features.length === 0) {
    const reasons = dropped.map((d) => `${d.column}: ${d.reason}`).join('; ');
    throw new DatasetError(
      'NoUsableFeatures',
      `No usable input columns remain: ${reasons || 'the file has only the target column'}. Add informative columns.`,
    );
  }

  let minorityK = 0;
  let majorityK = 0;
  classCounts.forEach((c, k) => {
    if (c < classCounts[minorityK]) minorityK = k;
    if (c > classCounts[majorityK]) majorityK = k;
  });
  const minority = classCounts[minorityK];
  const majority = classCounts[majorityK];
  const minorityClass = classes[minorityK];
  const leftOut = droppedRows ? ` ${droppedRows} rows without a target value were left out.` : '';
  const guardrails: Guardrail[] = [
    {
      name: 'Class balancing detection',
      status: minority / majority < 0.2 ? 'alerted' : 'passed',
      detail:
        `Minority class "${minorityClass}" is ${pct(minority / n)} of ${n} rows.` +
        (minority / majority < 0.2
          ? ' The data is imbalanced: prefer AUC_weighted or average_precision_score_weighted over accuracy ' +
            'to compare models.'
          : ''),
    },
    {
      name: 'Missing feature values imputation',
      status: imputed.length ? 'done' : 'passed',
      detail:
        (imputed.length
          ? `Missing values in ${imputed.join(', ')}: trees route them to a learned side, ` +
            'linear models impute the mean and add an indicator.'
          : 'No missing feature values.') + leftOut,
    },
    {
      name: 'High cardinality feature detection',
      status: capped.length ? 'done' : 'passed',
      detail: capped.length
        ? `Kept the ${MAX_CATEGORIES} most frequent categories of ${capped.join(', ')}; ` +
          'the others share one "other" category.'
        : 'No high-cardinality categorical columns.',
    },
    {
      name: 'Column dropping',
      status: dropped.length ? 'done' : 'passed',
      detail: dropped.length
        ? `Dropped ${dropped.map((d) => `${d.column} (${d.reason})`).join(', ')}.`
        : 'No columns dropped.',
    },
  ];
  return { featurizer: { features }, dropped, guardrails, classes, y, rowIndex };
}

/**
 * A categorical feature whose codes follow the smoothed positive rate of each category, so that
 * ordered splits in trees find the best two-way partition (Fisher 1958) without one-hot columns.
 */
function orderedCategorical(
  name: string,
  raw: (string | undefined)[],
  y: Uint8Array | undefined,
  prior: number,
  nullable: boolean,
  capped: string[],
  labelRows: Uint8Array | undefined,
): FeatureSpec {
  // n: rows (decides which categories to keep); ln, pos: labelled rows and their positives (decide the order).
  const stats = new Map<string, { n: number; ln: number; pos: number }>();
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === undefined) continue;
    let s = stats.get(c);
    if (!s) stats.set(c, (s = { n: 0, ln: 0, pos: 0 }));
    s.n++;
    if (y && (!labelRows || labelRows[i])) {
      s.ln++;
      s.pos += y[i];
    }
  }
  let entries = [...stats.entries()];
  let other: { n: number; ln: number; pos: number } | undefined;
  if (entries.length > MAX_CATEGORIES) {
    entries.sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
    other = { n: 0, ln: 0, pos: 0 };
    for (const [, s] of entries.slice(MAX_CATEGORIES)) {
      other.n += s.n;
      other.ln += s.ln;
      other.pos += s.pos;
    }
    entries = entries.slice(0, MAX_CATEGORIES);
    capped.push(`${name} (${stats.size} categories)`);
  }
  const m = 10; // smoothing strength: a category needs ~10 rows before its own rate dominates the prior
  const rate = (s: { n: number; ln: number; pos: number }) => (y ? (s.pos + m * prior) / (s.ln + m) : -s.n);
  const keyed = entries.map(([c, s]) => ({ c, r: rate(s) }));
  if (other) keyed.push({ c: '\u0000other', r: rate(other) });
  keyed.sort((a, b) => a.r - b.r || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0));
  const categories = keyed.map((k) => k.c);
  const spec: FeatureSpec = { name, type: 'categorical', nullable, categories };
  const oi = categories.indexOf('\u0000other');
  if (oi >= 0) {
    categories[oi] = '(other)';
    spec.otherCode = oi;
  }
  return spec;
}

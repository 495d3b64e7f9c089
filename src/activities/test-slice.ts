// The cycle's test slice: a stratified share of the new dataset's labelled rows, seeded by project and cycle.
import { createHash } from 'node:crypto';
import {
  DatasetError,
  heldOutCount,
  inferTarget,
  Rng,
  selectRows,
  shuffledByClass,
  stratifiedHoldout,
  type Table,
} from '../automl';
import { DEFAULT_SETTINGS } from '../contract';

/** Share of the labelled rows held out for the champion/challenger comparison: the setting's default. */
export const DEFAULT_TEST_SHARE = DEFAULT_SETTINGS.testShare;
/** Fewer test rows than this give a difference between two models that is mostly noise. */
export const MIN_TEST_ROWS = 20;

export interface TestSplit {
  /** What the AutoML job sees: every row not in the test slice, rows without a label included (it drops them). */
  training: Table;
  /** Labelled rows only, in file order. */
  test: Table;
}

/** The same project and cycle give the same seed, so a retried upload holds out the same rows. */
export function testSliceSeed(project: string, cycle: number): number {
  return createHash('sha256').update(`${project}\n${cycle}`).digest().readUInt32LE(0);
}

/**
 * Splits off the test slice: `share` of every class's labelled rows (rounded), chosen by `seed`. Throws
 * DatasetError when a class would have no test row or the slice would hold fewer than MIN_TEST_ROWS.
 */
export function holdOutTestSlice(table: Table, target: string, seed: number, share = DEFAULT_TEST_SHARE): TestSplit {
  if (!(share > 0 && share < 1)) {
    throw new DatasetError('InvalidSettings', `The test share must be a fraction between 0 and 1 (got ${share}).`);
  }
  const { classes, y, rowIndex } = inferTarget(table, target);
  const byClass = shuffledByClass(y, classes.length, new Rng(seed));
  byClass.forEach((rows, k) => {
    if (heldOutCount(rows.length, share) >= 1) return;
    throw new DatasetError(
      'TooFewRowsInClass',
      `The class "${classes[k]}" of "${target}" has only ${rows.length} rows: a ${percent(share)} test slice would ` +
        'hold none of them, so the champion and the challenger could not be compared on it. ' +
        `Add examples of it (at least ${Math.ceil(0.5 / share)} rows) or raise the test share.`,
    );
  });
  const { heldOutIdx } = stratifiedHoldout(byClass, share);
  if (heldOutIdx.length < MIN_TEST_ROWS) {
    throw new DatasetError(
      'TooFewRows',
      `The dataset has ${y.length} rows with a value in "${target}": a ${percent(share)} test slice would hold ` +
        `${heldOutIdx.length}, fewer than the ${MIN_TEST_ROWS} needed to compare two models. ` +
        `Add rows (about ${Math.ceil(MIN_TEST_ROWS / share)} labelled rows) or raise the test share.`,
    );
  }
  const inTest = new Uint8Array(table.nRows);
  for (const i of heldOutIdx) inTest[rowIndex[i]] = 1;
  const trainingIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < table.nRows; i++) (inTest[i] === 1 ? testIdx : trainingIdx).push(i);
  return { training: selectRows(table, trainingIdx), test: selectRows(table, testIdx) };
}

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

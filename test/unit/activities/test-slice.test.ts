// The test slice: stratified, chosen by row content under the project's seed, disjoint from the training rows, stable
// as the data grows, with clear errors.
import { DatasetError, tableRows, type Table } from '../../../src/automl';
import { encodeTable } from '../../../src/automl/table';
import { holdOutTestSlice, MIN_TEST_ROWS } from '../../../src/activities/test-slice';

/** `no` and `yes` rows in a shuffled-looking order, each with a unique id; `unlabelled` rows have no target. */
function table(no: number, yes: number, unlabelled = 0): Table {
  const fill = (n: number, label: string) => Array<string>(n).fill(label);
  const labels = [...fill(no, 'no'), ...fill(yes, 'yes'), ...fill(unlabelled, '')];
  const rows = labels.map((y, i) => ({ id: String(i), x: String((i * 37) % 101), y }));
  rows.sort((a, b) => Number(a.x) - Number(b.x) || Number(a.id) - Number(b.id));
  return encodeTable(
    ['id', 'x', 'y'],
    rows.map((r) => [r.id, r.x, r.y]),
  );
}
const ids = (t: Table) => tableRows(t).map((r) => String(r.id));
const count = (t: Table, label: string) => tableRows(t).filter((r) => r.y === label).length;
const errorOf = (run: () => unknown): DatasetError => {
  try {
    run();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('no DatasetError');
};

describe('holdOutTestSlice', () => {
  const data = table(900, 100, 3);
  const seed = 'bank';

  it('holds out 20% of every class and keeps the rest, unlabelled rows included, for training', () => {
    const { training, test } = holdOutTestSlice(data, 'y', seed);
    expect([count(test, 'no'), count(test, 'yes'), count(test, '')]).toEqual([180, 20, 0]);
    expect([count(training, 'no'), count(training, 'yes'), count(training, '')]).toEqual([720, 80, 3]);
    expect(training.columns).toEqual(data.columns);
    expect(test.columns).toEqual(data.columns);
  });

  it('splits the rows into two disjoint parts, each in file order', () => {
    const { training, test } = holdOutTestSlice(data, 'y', seed);
    const inTest = new Set(ids(test));
    expect(ids(training).filter((id) => inTest.has(id))).toEqual([]);
    expect(new Set([...ids(training), ...ids(test)])).toEqual(new Set(ids(data)));
    const position = new Map(ids(data).map((id, i) => [id, i]));
    for (const part of [training, test]) {
      const order = ids(part).map((id) => position.get(id)!);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('is deterministic for a project, and another project holds out other rows', () => {
    const again = holdOutTestSlice(data, 'y', 'bank');
    expect(ids(again.test)).toEqual(ids(holdOutTestSlice(data, 'y', seed).test));
    expect(ids(holdOutTestSlice(data, 'y', 'bank2').test)).not.toEqual(ids(holdOutTestSlice(data, 'y', seed).test));
  });

  it('keeps the rows a champion trained on out of the next slice when the data grows', () => {
    // The next cycle's data: the same rows, in another order, plus 50% more. A row's place comes from its content,
    // so the rows held out before stay held out and hardly any training row crosses into the new slice.
    const before = holdOutTestSlice(data, 'y', seed);
    const extra = encodeTable(
      ['id', 'x', 'y'],
      Array.from({ length: 500 }, (_, i) => [`new-${i}`, String((i * 13) % 97), i % 10 === 0 ? 'yes' : 'no']),
    );
    const grown = encodeTable(
      ['id', 'x', 'y'],
      [...tableRows(extra), ...tableRows(data)].reverse().map((r) => [String(r.id), String(r.x), String(r.y)]),
    );
    const after = holdOutTestSlice(grown, 'y', seed);
    const trainedOn = new Set(tableRows(before.training).map((r) => `${r.x}|${r.y}|${r.id}`));
    const sliceAfter = tableRows(after.test).map((r) => `${r.x}|${r.y}|${r.id}`);
    const leaked = sliceAfter.filter((key) => trainedOn.has(key)).length;
    expect(sliceAfter).toHaveLength(Math.round(1350 * 0.2) + Math.round(150 * 0.2));
    expect(leaked).toBeLessThanOrEqual(6);
  });

  it('takes the share it is given', () => {
    const { test } = holdOutTestSlice(data, 'y', seed, 0.1);
    expect([count(test, 'no'), count(test, 'yes')]).toEqual([90, 10]);
  });

  it('refuses a class that would have no test row, naming it and what to do', () => {
    const err = errorOf(() => holdOutTestSlice(table(900, 8), 'y', seed, 0.05));
    expect(err.code).toBe('TooFewRowsInClass');
    expect(err.message).toMatch(/class "yes" of "y" has only 8 rows: a 5% test slice would hold none of them/);
    expect(err.message).toMatch(/at least 10 rows\) or raise the test share/);
  });

  it(`refuses a slice of fewer than ${MIN_TEST_ROWS} rows`, () => {
    const err = errorOf(() => holdOutTestSlice(table(40, 20), 'y', seed));
    expect(err.code).toBe('TooFewRows');
    expect(err.message).toMatch(/60 rows with a value in "y": a 20% test slice would hold 12, fewer than the 20/);
  });

  it('refuses a share outside (0, 1) and passes on the target checks of the engine', () => {
    expect(errorOf(() => holdOutTestSlice(data, 'y', seed, 1)).code).toBe('InvalidSettings');
    expect(errorOf(() => holdOutTestSlice(data, 'y', seed, 0)).code).toBe('InvalidSettings');
    expect(errorOf(() => holdOutTestSlice(data, 'label', seed)).code).toBe('TargetColumnMissing');
  });
});

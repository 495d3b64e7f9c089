// Bad input gives a DatasetError whose code and message name the problem.
import { type AutoMLSettings, DatasetError, inferDataset, parseCsv, prepareExperiment } from '../../../src/automl';
import { syntheticRows, toCsv } from './synthetic';

function errorOf(f: () => unknown): DatasetError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('DatasetError', () => {
  it('crosses a thread boundary as its toJSON() form and comes back whole', () => {
    const e = errorOf(() => parseCsv('a,a\n1,2\n'));
    const back = DatasetError.fromJSON(structuredClone(e.toJSON()));
    expect(back).toBeInstanceOf(DatasetError);
    expect(back).toMatchObject({
      name: 'DatasetError',
      code: 'DuplicateColumn',
      message: e.message,
      details: e.details,
    });
  });

  it('rejects empty input', () => {
    expect(errorOf(() => parseCsv(Buffer.alloc(0))).code).toBe('EmptyFile');
    expect(errorOf(() => parseCsv('\n\n')).code).toBe('EmptyFile');
  });

  it('rejects non-UTF-8 bytes with the line number', () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\ncaf'), Buffer.from([0xe9]), Buffer.from(',3\n')]);
    const e = errorOf(() => parseCsv(bytes));
    expect(e.code).toBe('NotUtf8');
    expect(e.details.line).toBe(3);
    expect(e.message).toMatch(/line 3/);
  });

  it('names the line of an unparseable row', () => {
    const e = errorOf(() => parseCsv('a,b\n1,2\n3,4\n5,6,7\n'));
    expect(e.code).toBe('UnparseableRow');
    expect(e.details.line).toBe(4);
    expect(e.message).toMatch(/line 4/);
  });

  it('rejects duplicate column names', () => {
    expect(errorOf(() => parseCsv('a,a\n1,2\n')).code).toBe('DuplicateColumn');
  });

  it('lists the columns when the target is absent', () => {
    const t = parseCsv(toCsv(syntheticRows({ rows: 60 })));
    const e = errorOf(() => inferDataset(t, 'Label'));
    expect(e.code).toBe('TargetColumnMissing');
    expect(e.details.columns).toContain('label');
    expect(e.message).toMatch(/x1, x2, noise, color/);
  });

  it('rejects a single class, too few rows and too many classes', () => {
    const rows = syntheticRows({ rows: 60 }).map((r) => ({ ...r, label: 'no' }));
    expect(errorOf(() => inferDataset(parseCsv(toCsv(rows)), 'label')).code).toBe('SingleClass');
    const few = syntheticRows({ rows: 49 });
    const e = errorOf(() => inferDataset(parseCsv(toCsv(few)), 'label'));
    expect(e.code).toBe('TooFewRows');
    expect(e.message).toMatch(/49 rows/);
    const numericTarget = syntheticRows({ rows: 90 }).map((r, i) => ({ ...r, label: String(i * 1.5) }));
    const e2 = errorOf(() => inferDataset(parseCsv(toCsv(numericTarget)), 'label'));
    expect(e2.code).toBe('TooManyClasses');
    expect(e2.message).toMatch(/regression/);
    const rare = syntheticRows({ rows: 90 }).map((r, i) => ({ ...r, label: i < 3 ? 'rare' : String(i % 2) }));
    const e3 = errorOf(() => inferDataset(parseCsv(toCsv(rare)), 'label'));
    expect(e3.code).toBe('TooFewRowsInClass');
    expect(e3.message).toMatch(/"rare"/);
  });
});

describe('settings validation', () => {
  const t = parseCsv(toCsv(syntheticRows({ rows: 60 })));
  it.each([
    [{ timeoutSeconds: 0 }, /timeoutSeconds/],
    [{ timeoutSeconds: 5, maxTrials: 0 }, /maxTrials/],
    [{ timeoutSeconds: 5, validationSize: 1.5 }, /validationSize/],
    [{ timeoutSeconds: 5, nCrossValidations: 1 }, /nCrossValidations/],
    [{ timeoutSeconds: 5, primaryMetric: 'recall' }, /primary metric "recall"/],
  ])('rejects %j', (bad, message) => {
    const e = errorOf(() => prepareExperiment(t, { target: 'label', ...(bad as object) } as AutoMLSettings));
    expect(e.code).toBe('InvalidSettings');
    expect(e.message).toMatch(message);
  });
});

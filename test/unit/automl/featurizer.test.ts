// Schema inference and featurization on awkward columns: missing tokens, "unknown", IDs, constants, booleans,
// high cardinality, unseen values.
import { Featurizer, inferDataset, parseCsv, type RawRow, tableRows } from '../../../src/automl';
import { toCsv } from './synthetic';

function tableOf(rows: RawRow[]) {
  return parseCsv(toCsv(rows));
}

describe('inferDataset', () => {
  const rows: RawRow[] = [];
  for (let i = 0; i < 200; i++) {
    rows.push({
      customer_id: `C${1000 + i}`, // string ID: distinct in every row
      seq: String(i + 1), // consecutive integers: row number
      age: i % 17 === 0 ? 'NA' : i % 41 === 0 ? 'unknown' : String(20 + (i % 50)),
      income: i % 11 === 0 ? '?' : i % 13 === 0 ? '.' : String(1000 + ((i * 37) % 500) / 10),
      job: i % 5 === 0 ? 'unknown' : ['admin', 'technician', 'services'][i % 3],
      smoker: i % 2 ? 'Yes' : 'No',
      flag01: String(i % 2),
      grade: String(1 + (i % 3)), // few integer levels -> categorical
      country: 'NL', // constant
      city: `city${i % 150}`, // high cardinality, not ID-like
      empty: '',
      y: i % 4 === 0 ? 'yes' : 'no',
    });
  }
  const inf = inferDataset(tableOf(rows), 'y');
  const byName = new Map(inf.featurizer.features.map((f) => [f.name, f]));

  it('drops ID-like, constant and empty columns and says why', () => {
    const dropped = new Map(inf.dropped.map((d) => [d.column, d.reason]));
    expect(dropped.get('customer_id')).toMatch(/ID-like/);
    expect(dropped.get('seq')).toMatch(/ID-like/);
    expect(dropped.get('country')).toMatch(/constant/);
    expect(dropped.get('empty')).toMatch(/missing/);
    expect(inf.guardrails.find((g) => g.name === 'Column dropping')?.detail).toMatch(/customer_id/);
  });

  it('reads numbers with missing tokens and stray "unknown" as nullable numeric columns', () => {
    expect(byName.get('age')).toMatchObject({ type: 'numeric', nullable: true });
    expect(byName.get('income')).toMatchObject({ type: 'numeric', nullable: true });
    const g = inf.guardrails.find((x) => x.name === 'Missing feature values imputation')!;
    expect(g.status).toBe('done');
    expect(g.detail).toMatch(/age/);
  });

  it('keeps "unknown" as a real category of a categorical column', () => {
    expect(byName.get('job')?.type).toBe('categorical');
    expect(byName.get('job')?.categories).toContain('unknown');
    expect(byName.get('job')?.nullable).toBe(false);
  });

  it('detects booleans and few-level integers', () => {
    expect(byName.get('smoker')).toMatchObject({ type: 'boolean', categories: ['No', 'Yes'] });
    expect(byName.get('flag01')).toMatchObject({ type: 'boolean', categories: ['0', '1'] });
    expect(byName.get('grade')?.type).toBe('categorical');
  });

  it('keeps high-cardinality columns with an "other" bucket', () => {
    const city = byName.get('city')!;
    expect(city.type).toBe('categorical');
    expect(city.categories!.length).toBe(101);
    expect(city.otherCode).toBeDefined();
    expect(inf.guardrails.find((g) => g.name === 'High cardinality feature detection')?.status).toBe('done');
  });

  it('finds the classes and flags imbalance', () => {
    expect(inf.classes).toEqual(['no', 'yes']);
    expect(inf.y.reduce((a, b) => a + b, 0)).toBe(50);
    expect(inf.guardrails.find((g) => g.name === 'Class balancing detection')?.status).toBe('passed');
  });

  it('featurizes scoring rows with missing columns, unseen categories and odd types without throwing', () => {
    const f = new Featurizer(inf.featurizer);
    const X = f.transform([
      {},
      { age: 33, job: 'astronaut', smoker: true, city: 'nowhere', grade: 2 },
      { age: 'abc', smoker: 'YES' },
    ]);
    const col = (name: string) => inf.featurizer.features.findIndex((x) => x.name === name);
    const F = f.nFeatures;
    expect(Number.isNaN(X[col('age')])).toBe(true); // missing column -> missing value
    expect(X[F + col('age')]).toBe(33);
    expect(Number.isNaN(X[F + col('job')])).toBe(true); // unseen category, no "other" bucket at training -> missing
    expect(X[F + col('city')]).toBe(byName.get('city')!.otherCode); // unseen -> "other"
    expect(X[F + col('smoker')]).toBe(1);
    expect(X[2 * F + col('smoker')]).toBe(1); // case-insensitive boolean
    expect(Number.isNaN(X[2 * F + col('age')])).toBe(true); // not a number -> missing
    expect(X[F + col('grade')]).toBe(byName.get('grade')!.categories!.indexOf('2'));
  });

  it('parses quoted fields and trims spaces', () => {
    const t = parseCsv('a,b\n"x, y", 2 \n');
    expect(tableRows(t)[0]).toEqual({ a: 'x, y', b: '2' });
  });

  it('reads semicolon- and tab-separated files', () => {
    expect(tableRows(parseCsv('a;b\n1,5;x\n'))[0]).toEqual({ a: '1,5', b: 'x' });
    expect(tableRows(parseCsv('a\tb\n1\tx\n'))[0]).toEqual({ a: '1', b: 'x' });
  });
});

describe('category order', () => {
  // a: 30% positive, b: 70% positive, c: always positive — but c's rows are validation rows.
  const rows: RawRow[] = [];
  for (let i = 0; i < 60; i++) rows.push({ g: 'a', y: i < 18 ? 'yes' : 'no' });
  for (let i = 0; i < 60; i++) rows.push({ g: 'b', y: i < 42 ? 'yes' : 'no' });
  for (let i = 0; i < 60; i++) rows.push({ g: 'c', y: 'yes' });
  const t = tableOf(rows);

  it('follows the smoothed positive rate', () => {
    expect(inferDataset(t, 'y').featurizer.features[0].categories).toEqual(['a', 'b', 'c']);
  });

  it('ignores the labels of rows held out for validation', () => {
    const labelRows = Uint8Array.from(rows, (r) => (r.g === 'c' ? 0 : 1));
    // Without its labels, c sits at the prior rate (2/3), between a and b.
    expect(inferDataset(t, 'y', { labelRows }).featurizer.features[0].categories).toEqual(['a', 'c', 'b']);
  });
});

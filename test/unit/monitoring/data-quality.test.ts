// Data quality rates against counts made by hand: nulls, type errors, out-of-bounds values and unseen categories.
import { dataQuality, profileBaseline } from '../../../src/monitoring';
import type { Feature } from '../../../src/monitoring';

const features: Feature[] = [
  { name: 'age', type: 'numeric' },
  { name: 'job', type: 'categorical' },
  { name: 'loan', type: 'boolean' },
];
const baseline = [
  { age: 30, job: 'admin', loan: 'no' },
  { age: '55', job: ' services ', loan: 'yes' },
  { age: 'NA', job: '', loan: 'no' },
  { age: 41.5, job: 'admin', loan: null },
];

describe('profileBaseline', () => {
  it("keeps each numeric feature's range and each other feature's categories, missing values aside", () => {
    expect(profileBaseline(features, baseline)).toEqual([
      { feature: 'age', type: 'numeric', min: 30, max: 55 },
      { feature: 'job', type: 'categorical', categories: ['admin', 'services'] },
      { feature: 'loan', type: 'boolean', categories: ['no', 'yes'] },
    ]);
  });
  it('has no range for a numeric feature without values', () => {
    expect(profileBaseline([{ name: 'age', type: 'numeric' }], [{ age: null }, {}])).toEqual([
      { feature: 'age', type: 'numeric', min: null, max: null },
    ]);
  });
});

describe('dataQuality', () => {
  const profiles = profileBaseline(features, baseline);
  const rates = (feature: string, type: Feature['type'], missing: number, typeErrors: number) => ({
    feature,
    type,
    rows: 8,
    nullValueRate: missing / 8,
    dataTypeErrorRate: typeErrors / 8,
  });
  it('counts each row in at most one rate, each a share of all rows', () => {
    const live = [
      { age: 30, job: 'admin', loan: 'no' }, // fine
      { age: 29.9, job: 'services', loan: 'yes' }, // age below the range
      { age: 56, job: 'retired', loan: 'maybe' }, // age above; unseen job and loan
      { age: 'forty', job: ['admin'], loan: 'no' }, // type errors: a word in a number, an array
      { age: null, job: 'N/A', loan: '' }, // missing in every feature
      { job: 'admin', loan: true }, // age absent: missing; loan true reads as 'true', unseen
      { age: NaN, job: 7, loan: 'no' }, // NaN is missing; 7 is the category '7', unseen
      { age: { v: 1 }, job: 'admin', loan: 'yes' }, // an object is a type error
    ];
    expect(dataQuality(profiles, live)).toEqual([
      { ...rates('age', 'numeric', 3, 2), outOfBoundsRate: 2 / 8 },
      { ...rates('job', 'categorical', 1, 1), unseenCategoryRate: 2 / 8 },
      { ...rates('loan', 'boolean', 1, 0), unseenCategoryRate: 2 / 8 },
    ]);
  });
  it('reads numbers as the featurizer does: numeric strings and booleans are numbers', () => {
    const [age] = dataQuality(profiles, [{ age: ' 40 ' }, { age: true }, { age: '1e1' }]);
    // true reads as 1 and 1e1 as 10: below the range, not type errors.
    expect(age).toEqual({
      feature: 'age',
      type: 'numeric',
      rows: 3,
      nullValueRate: 0,
      dataTypeErrorRate: 0,
      outOfBoundsRate: 2 / 3,
    });
  });
  it('finds nothing out of bounds without a baseline range, and everything unseen without baseline categories', () => {
    const empty = profileBaseline(features, [{}]);
    const [age, job] = dataQuality(empty, [{ age: 1e9, job: 'admin' }]);
    expect(age.outOfBoundsRate).toBe(0);
    expect(job.unseenCategoryRate).toBe(1);
  });
  it('refuses an empty window', () => {
    expect(() => dataQuality(profiles, [])).toThrow('data quality needs at least one row; the window is empty');
  });
});

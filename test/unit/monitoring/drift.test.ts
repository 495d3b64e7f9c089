// Data drift per feature against values computed by hand and by scipy (wasserstein_distance, ks_2samp, chisquare).
import { categoricalDrift, dataDrift, numericDrift } from '../../../src/monitoring';
import { kolmogorovSurvival } from '../../../src/monitoring/p-values';

describe('numericDrift', () => {
  it('normalises the Wasserstein distance by the baseline sample standard deviation', () => {
    // Every live value is a baseline value + 5: distance 5.
    // Baseline sd with n - 1 = sqrt(((4/3)^2 + (1/3)^2 + (5/3)^2) / 2) = sqrt(7/3).
    const d = numericDrift([0, 1, 3], [5, 6, 8]);
    expect(d.normalizedWassersteinDistance).toBeCloseTo(5 / Math.sqrt(7 / 3), 13);
  });
  it('matches scipy on samples of different sizes with ties', () => {
    const baseline = [1, 1, 2, 5, 7.5, 3];
    const live = [1, 3, 3, 8, 9];
    const d = numericDrift(baseline, live);
    // scipy.stats.wasserstein_distance(baseline, live) = 1.55; numpy.std(baseline, ddof=1) = 2.564176280991617.
    expect(d.normalizedWassersteinDistance).toBeCloseTo(1.55 / 2.564176280991617, 13);
    // scipy.stats.ks_2samp(baseline, live).statistic = 0.4, at x = 7.5: all of the baseline, 3/5 of live.
    expect(d.twoSampleKolmogorovSmirnovTest.statistic).toBeCloseTo(0.4, 14);
    expect(d.twoSampleKolmogorovSmirnovTest.pValue).toBeCloseTo(kolmogorovSurvival(Math.sqrt(30 / 11) * 0.4), 14);
  });
  it('gives the asymptotic KS p-value sqrt(n m / (n + m)) D through kstwobign', () => {
    // Gap 1/2 at x = 2 (F = 1/2, G = 0); n = m = 4, so lambda = sqrt(2) / 2; scipy.stats.kstwobign.sf(0.70710678).
    const d = numericDrift([1, 2, 3, 4], [3, 4, 5, 6]);
    expect(d.twoSampleKolmogorovSmirnovTest).toEqual({ statistic: 0.5, pValue: expect.any(Number) });
    expect(d.twoSampleKolmogorovSmirnovTest.pValue).toBeCloseTo(0.6993741991310154, 12);
  });
  it('is 0 with p-value 1 for the same sample, in any order', () => {
    const d = numericDrift([3, 1, 2, 2], [2, 2, 1, 3]);
    expect(d.normalizedWassersteinDistance).toBe(0);
    expect(d.twoSampleKolmogorovSmirnovTest).toEqual({ statistic: 0, pValue: 1 });
  });
  it("divides by Azure's floor of 0.001 when the baseline is constant or a single value", () => {
    expect(numericDrift([2, 2, 2], [3]).normalizedWassersteinDistance).toBeCloseTo(1000, 9);
    expect(numericDrift([2], [2.5]).normalizedWassersteinDistance).toBeCloseTo(500, 9);
    expect(numericDrift([2], [2]).normalizedWassersteinDistance).toBe(0);
  });
  it('refuses an empty side and values that are not finite numbers', () => {
    expect(() => numericDrift([], [1])).toThrow('the baseline sample is empty');
    expect(() => numericDrift([1, NaN], [1])).toThrow('baseline value 1 is NaN; leave missing values out first');
  });
});

describe('categoricalDrift', () => {
  it("runs Pearson's chi-squared test of the live counts against the baseline shares", () => {
    // Expected (50, 30, 20) of 100 live rows: (30-50)^2/50 + 0 + (40-20)^2/20 = 28 on 2 degrees of freedom,
    // p = exp(-14) (scipy.stats.chisquare([30, 30, 40], [50, 30, 20]).pvalue = 8.31528719103568e-07).
    const d = categoricalDrift({ a: 50, b: 30, c: 20 }, { a: 30, b: 30, c: 40 });
    expect(d.pearsonsChiSquaredTest.statistic).toBeCloseTo(28, 12);
    expect(d.pearsonsChiSquaredTest.degreesOfFreedom).toBe(2);
    expect(d.pearsonsChiSquaredTest.pValue / 8.31528719103568e-7).toBeCloseTo(1, 10);
    expect(d.jensenShannonDistance).toBeGreaterThan(0);
    expect(d.populationStabilityIndex).toBeGreaterThan(0);
  });
  it('finds no drift in the same shares', () => {
    const d = categoricalDrift({ a: 5, b: 15 }, { b: 30, a: 10 });
    expect(d).toEqual({
      jensenShannonDistance: 0,
      populationStabilityIndex: expect.any(Number),
      pearsonsChiSquaredTest: { statistic: 0, degreesOfFreedom: 1, pValue: 1 },
    });
    // Laplace smoothing leaves a trace for unequal totals: (6/22, 16/22) against (11/42, 31/42).
    const psi = (11 / 42 - 6 / 22) * Math.log(11 / 42 / (6 / 22)) + (31 / 42 - 16 / 22) * Math.log(31 / 42 / (16 / 22));
    expect(d.populationStabilityIndex).toBeCloseTo(psi, 14);
  });
  it('gives p-value 0 for a live category the baseline never had, and 1 for one shared category', () => {
    const unseen = categoricalDrift({ a: 10 }, { a: 9, b: 1 });
    expect(unseen.pearsonsChiSquaredTest).toEqual({ statistic: Infinity, degreesOfFreedom: 1, pValue: 0 });
    expect(categoricalDrift({ a: 10 }, { a: 3 }).pearsonsChiSquaredTest).toEqual({
      statistic: 0,
      degreesOfFreedom: 0,
      pValue: 1,
    });
  });
  it('refuses an empty side', () => {
    expect(() => categoricalDrift({ a: 1 }, {})).toThrow('the live distribution is empty: nothing to compare');
  });
});

describe('dataDrift', () => {
  const baseline = [
    { age: 30, job: 'admin' },
    { age: 40, job: 'admin' },
    { age: 50, job: 'services' },
    { age: 'NA', job: null },
  ];
  it('computes each feature by its type, leaving out missing values and type errors', () => {
    const live = [
      { age: 35, job: 'admin' },
      { age: 'forty', job: 'services' },
      { age: '45', job: { nested: true } },
      { job: 'services' },
    ];
    const [age, job] = dataDrift(
      [
        { name: 'age', type: 'numeric' },
        { name: 'job', type: 'categorical' },
      ],
      baseline,
      live,
    );
    expect(age).toMatchObject({ feature: 'age', type: 'numeric', baselineValues: 3, liveValues: 2 });
    expect(age).toEqual({ ...age, ...numericDrift([30, 40, 50], [35, 45]) });
    expect(job).toMatchObject({ feature: 'job', type: 'categorical', baselineValues: 3, liveValues: 3 });
    expect(job).toEqual({ ...job, ...categoricalDrift({ admin: 2, services: 1 }, { admin: 1, services: 2 }) });
  });
  it('gives null metrics for a feature with no value on one side', () => {
    const [age, job] = dataDrift(
      [
        { name: 'age', type: 'numeric' },
        { name: 'job', type: 'boolean' },
      ],
      baseline,
      [{ age: null }, { age: '' }],
    );
    expect(age).toEqual({
      feature: 'age',
      type: 'numeric',
      baselineValues: 3,
      liveValues: 0,
      normalizedWassersteinDistance: null,
      twoSampleKolmogorovSmirnovTest: null,
    });
    expect(job).toEqual({
      feature: 'job',
      type: 'boolean',
      baselineValues: 3,
      liveValues: 0,
      jensenShannonDistance: null,
      populationStabilityIndex: null,
      pearsonsChiSquaredTest: null,
    });
  });
});

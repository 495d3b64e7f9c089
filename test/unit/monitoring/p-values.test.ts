// Tail probabilities of the chi-squared and Kolmogorov distributions against scipy's values.
import { chiSquaredSurvival, kolmogorovSurvival, logGamma } from '../../../src/monitoring/p-values';

describe('logGamma', () => {
  it('matches ln((n - 1)!) and ln Γ(1/2) = ln √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(0.25)).toBeCloseTo(Math.log(3.625609908221908), 12);
  });
});

describe('chiSquaredSurvival', () => {
  // Expected values: scipy.stats.chi2.sf(x, df) (scipy 1.17).
  it.each([
    [3.841458820694124, 1, 0.05],
    [10, 4, 0.04042768199451279],
    [0.5, 3, 0.9188914116546758],
    [0.001, 2, 0.9995001249791693],
    [1, 0.5, 0.15351359580832247],
  ])('P(X > %f) with %f degrees of freedom is %f', (x, df, p) => {
    expect(chiSquaredSurvival(x, df)).toBeCloseTo(p, 12);
  });
  it('keeps its relative precision far in the tail', () => {
    expect(chiSquaredSurvival(50, 10) / 2.669083424904495e-7).toBeCloseTo(1, 10);
    expect(chiSquaredSurvival(200, 30) / 4.9527335290032224e-27).toBeCloseTo(1, 8);
    // With 2 degrees of freedom the tail is exp(-x / 2).
    expect(chiSquaredSurvival(28, 2) / Math.exp(-14)).toBeCloseTo(1, 12);
  });
  it('is 1 at 0 and 0 at infinity, and refuses 0 degrees of freedom', () => {
    expect(chiSquaredSurvival(0, 3)).toBe(1);
    expect(chiSquaredSurvival(Infinity, 3)).toBe(0);
    expect(() => chiSquaredSurvival(1, 0)).toThrow('degrees of freedom must be positive, got 0');
  });
});

describe('kolmogorovSurvival', () => {
  // Expected values: scipy.stats.kstwobign.sf(lambda); both series meet at 1.18.
  it.each([
    [0.2, 0.999999999999495],
    [0.5, 0.9639452436648751],
    [Math.SQRT1_2, 0.6993741991310154],
    [1.0, 0.26999967167735456],
    [1.18, 0.1234538094297657],
    [1.36, 0.049485876755377876],
    [2.0, 0.0006709252557796953],
  ])('P(K > %f) is %f', (lambda, p) => {
    expect(kolmogorovSurvival(lambda)).toBeCloseTo(p, 12);
  });
  it('is 1 at 0 and tiny far out', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(0.05)).toBe(1);
    expect(kolmogorovSurvival(3) / 3.045995948942526e-8).toBeCloseTo(1, 10);
  });
});

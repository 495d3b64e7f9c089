// Jensen-Shannon distance and PSI against values computed by hand and by scipy.
import {
  alignCounts,
  countValues,
  distributionDistance,
  jensenShannonDistance,
  populationStabilityIndex,
  probabilityHistogram,
} from '../../../src/monitoring';

describe('jensenShannonDistance', () => {
  it('is 0 for the same distribution and 1 for distributions with nothing in common', () => {
    expect(jensenShannonDistance([3, 1], [30, 10])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBe(1);
    expect(jensenShannonDistance([0, 5, 0], [2, 0, 7])).toBe(1);
  });
  it('matches the definition on shares, whatever the totals', () => {
    // p = (1/2, 1/2), q = (1, 0), m = (3/4, 1/4):
    // KL(p||m) = 1/2 log2(2/3) + 1/2 log2(2); KL(q||m) = log2(4/3); distance = sqrt of their mean.
    const byHand = Math.sqrt((0.5 * Math.log2(2 / 3) + 0.5 + Math.log2(4 / 3)) / 2);
    expect(jensenShannonDistance([1, 1], [1, 0])).toBeCloseTo(byHand, 14);
    // scipy.spatial.distance.jensenshannon([1, 1], [1, 0], base=2) and ([2, 2], [5, 0]).
    expect(jensenShannonDistance([2, 2], [5, 0])).toBeCloseTo(0.5579230452841438, 14);
    expect(jensenShannonDistance([50, 30, 20, 0], [30, 30, 39, 1])).toBeCloseTo(0.21375907333992972, 14);
  });
  it('refuses an empty side, misaligned vectors and negative or NaN counts', () => {
    expect(() => jensenShannonDistance([0, 0], [1, 2])).toThrow('the baseline distribution is empty');
    expect(() => jensenShannonDistance([], [])).toThrow('the baseline distribution is empty');
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow('have 2 and 1 categories');
    expect(() => jensenShannonDistance([1, NaN], [1, 1])).toThrow('baseline count 1 is NaN');
    expect(() => jensenShannonDistance([1, 1], [1, -1])).toThrow('live count 1 is -1');
  });
});

describe('populationStabilityIndex', () => {
  it('is 0 for the same counts', () => {
    expect(populationStabilityIndex([90, 10], [90, 10])).toBe(0);
  });
  it("smooths each share as (count + 1) / (total + categories), Azure's convention", () => {
    // Baseline (90, 10) -> (91/102, 11/102); live (80, 20) -> (81/102, 21/102).
    const byHand = ((81 - 91) / 102) * Math.log(81 / 91) + ((21 - 11) / 102) * Math.log(21 / 11);
    expect(populationStabilityIndex([90, 10], [80, 20])).toBeCloseTo(byHand, 14);
  });
  it('stays finite when a category is empty on one side', () => {
    // Baseline (10, 0) -> (11/12, 1/12); live (5, 5) -> (6/12, 6/12).
    const byHand = ((6 - 11) / 12) * Math.log(6 / 11) + ((6 - 1) / 12) * Math.log(6);
    expect(populationStabilityIndex([10, 0], [5, 5])).toBeCloseTo(byHand, 14);
  });
  it('refuses an empty side', () => {
    expect(() => populationStabilityIndex([3, 4], [0, 0])).toThrow('the live distribution is empty');
  });
});

describe('count tables', () => {
  it('counts values and aligns two tables on the sorted union of their categories', () => {
    const champion = countValues(['no', 'yes', 'no', 'no']);
    expect({ ...champion }).toEqual({ no: 3, yes: 1 });
    const a = alignCounts(champion, { maybe: 2, no: 1 });
    expect(a.categories).toEqual(['maybe', 'no', 'yes']);
    expect([...a.baseline]).toEqual([0, 3, 1]);
    expect([...a.live]).toEqual([2, 1, 0]);
  });
  it('gives both distances between two tables of predicted labels', () => {
    const d = distributionDistance({ no: 90, yes: 10 }, { yes: 50, no: 50 });
    // scipy.spatial.distance.jensenshannon([90, 10], [50, 50], base=2).
    expect(d.jensenShannonDistance).toBeCloseTo(0.3831358798599423, 14);
    const psi = ((51 - 91) / 102) * Math.log(51 / 91) + ((51 - 11) / 102) * Math.log(51 / 11);
    expect(d.populationStabilityIndex).toBeCloseTo(psi, 14);
  });
  it("reads only a table's own labels, even 'constructor'", () => {
    const a = alignCounts({ constructor: 2 }, { toString: 1 });
    expect([...a.baseline]).toEqual([2, 0]);
    expect([...a.live]).toEqual([0, 1]);
  });
  it('names the category whose count is wrong', () => {
    expect(() => distributionDistance({ no: 3 }, { no: 1, yes: NaN })).toThrow("the live count of 'yes'");
  });
});

describe('probabilityHistogram', () => {
  it('puts each probability in one of equal-width bins over [0, 1], 1 in the last', () => {
    const h = probabilityHistogram([0, 0.05, 0.1, 0.55, 0.95, 1], 10);
    expect([...h]).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect([...probabilityHistogram([], 4)]).toEqual([0, 0, 0, 0]);
  });
  it('refuses values outside [0, 1] and a bad bin count', () => {
    expect(() => probabilityHistogram([0.5, NaN])).toThrow('probability 1 is NaN');
    expect(() => probabilityHistogram([1.5])).toThrow('probability 0 is 1.5');
    expect(() => probabilityHistogram([0.5], 0)).toThrow('whole number of bins >= 1, got 0');
  });
});

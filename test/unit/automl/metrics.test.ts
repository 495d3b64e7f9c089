// Metric functions against values computed by hand (ties, weighting, clipping).
import { averagePrecision, computeMetrics, METRIC_NAMES, metricValue, rocAuc } from '../../../src/automl';

describe('rocAuc', () => {
  it('is 1 for perfect ranking and 0 for reversed ranking', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });
  it('counts tied scores as one half', () => {
    // Pairs (pos, neg): (0.5 vs 0.5) tie = 0.5, (0.5 vs 0.1) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1 -> 3.5 / 4.
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toBeCloseTo(0.875, 12);
    // All scores tied: 0.5.
    expect(rocAuc([1, 0, 1, 0, 0], [0.3, 0.3, 0.3, 0.3, 0.3])).toBeCloseTo(0.5, 12);
  });
});

describe('averagePrecision', () => {
  it('matches the step-wise definition', () => {
    // Ranked: 0.9(1) 0.8(0) 0.7(1) 0.1(0): AP = 0.5*1 + 0.5*(2/3) = 0.8333...
    expect(averagePrecision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])).toBeCloseTo(5 / 6, 12);
  });
  it('treats tied scores as one threshold', () => {
    // One threshold with everything: recall 1, precision 2/4.
    expect(averagePrecision([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBeCloseTo(0.5, 12);
  });
});

describe('computeMetrics', () => {
  const y = [1, 0, 1, 0, 0, 0];
  const p = [0.9, 0.6, 0.4, 0.2, 0.1, 0.3];
  const m = computeMetrics(y, p);
  it('computes accuracy, AUC and log loss', () => {
    // Predictions (p > 0.5): 1,1,0,0,0,0 -> correct: 1,0,0,1,1,1 = 4/6.
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    // Positives 0.9, 0.4 vs negatives 0.6, 0.2, 0.1, 0.3: 0.9 beats 4, 0.4 beats 3 -> 7/8.
    expect(m.AUC_weighted).toBeCloseTo(7 / 8, 12);
    expect(m.AUC_macro).toBeCloseTo(7 / 8, 12);
    const ll = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.8) + Math.log(0.9) + Math.log(0.7)) / 6;
    expect(m.log_loss).toBeCloseTo(ll, 12);
  });
  it('weights per-class F1 and average precision by class support', () => {
    // Class 1: tp=1 fp=1 fn=1 -> F1 0.5; class 0: tp=3 fp=1 fn=1 -> F1 0.75. Weighted: (2*0.5 + 4*0.75)/6.
    expect(m.f1_score_weighted).toBeCloseTo((2 * 0.5 + 4 * 0.75) / 6, 12);
    // AP class 1 (scores p): ranks 0.9(1) 0.6(0) 0.4(1) -> 0.5*1 + 0.5*(2/3).
    const ap1 = 0.5 + 0.5 * (2 / 3);
    // AP class 0 (scores 1-p): 0.9(0) 0.8(0) 0.7(0) 0.6(1) 0.4(0) 0.1(1):
    // recall steps of 0.25 at precision 1,1,1,3/5 ... computed:
    const ap0 = 0.25 * 1 + 0.25 * 1 + 0.25 * 1 + 0.25 * (4 / 5);
    expect(m.average_precision_score_weighted).toBeCloseTo((2 * ap1 + 4 * ap0) / 6, 12);
  });
  it('normalises macro recall so that chance is 0 and perfect is 1', () => {
    // Recall class 1 = 1/2, class 0 = 3/4: macro 0.625 -> (0.625 - 0.5) / 0.5 = 0.25.
    expect(m.norm_macro_recall).toBeCloseTo(0.25, 12);
    expect(computeMetrics([0, 1], [0.2, 0.8]).norm_macro_recall).toBe(1);
    expect(computeMetrics([0, 1, 0, 1], [0.9, 0.9, 0.9, 0.9]).norm_macro_recall).toBe(0);
  });
});

describe('computeMetrics with three classes', () => {
  const y = [0, 1, 2, 2];
  // Row-major probabilities; argmax predicts 0, 1, 2, 1.
  const P = [0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.3, 0.4, 0.3];
  const m = computeMetrics(y, P, 3);
  it('averages one-vs-rest AUCs by support (weighted) and equally (macro)', () => {
    // Class 0: AUC 1; class 1: AUC 1; class 2: positives 0.6 and 0.3 vs negatives 0.1 and 0.3 -> 3.5/4.
    expect(m.AUC_weighted).toBeCloseTo((1 + 1 + 2 * 0.875) / 4, 12);
    expect(m.AUC_macro).toBeCloseTo((1 + 1 + 0.875) / 3, 12);
  });
  it('scores argmax predictions', () => {
    expect(m.accuracy).toBeCloseTo(0.75, 12);
    // F1: class 0 = 1, class 1 = 2/3 (one false positive), class 2 = 2/3 (one miss); weighted by support 1, 1, 2.
    expect(m.f1_score_weighted).toBeCloseTo((1 + 2 / 3 + 2 * (2 / 3)) / 4, 12);
    // Recalls 1, 1, 1/2: macro 5/6, normalised (5/6 - 1/3) / (2/3) = 0.75.
    expect(m.norm_macro_recall).toBeCloseTo(0.75, 12);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.5) + Math.log(0.6) + Math.log(0.3)) / 4, 12);
  });
});

describe('metricValue', () => {
  // Ties, a score of exactly 0.5 and both orders of the same rows: the shortcuts must agree with computeMetrics.
  const y = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0];
  const p = [0.9, 0.5, 0.5, 0.2, 0.2, 0.7, 0.6, 0.1, 0.2, 0.5];
  const all = computeMetrics(y, p);
  it.each(METRIC_NAMES)('gives %s exactly as computeMetrics does, in any row order', (m) => {
    expect(metricValue(m, y, p)).toBe(all[m]);
    // Other orders may only change the rounding of log_loss's sum.
    expect(metricValue(m, [...y].reverse(), [...p].reverse())).toBeCloseTo(all[m], 14);
    const order = y.map((_, i) => i).sort((a, b) => p[b] - p[a]);
    expect(
      metricValue(
        m,
        order.map((i) => y[i]),
        order.map((i) => p[i]),
      ),
    ).toBeCloseTo(all[m], 14);
  });
});

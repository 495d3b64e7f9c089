// Paired bootstrap interval: exact cases, a normal-approximation check of its width, determinism and input errors.
import { metricValue } from '../../../src/automl';
import { pairedBootstrap } from '../../../src/monitoring';

/** n rows: labels from `label(i)`, and each model's probability of class 1 from `p(i)`. */
function rows(n: number, label: (i: number) => number, p: (i: number) => number): [number[], number[]] {
  return [Array.from({ length: n }, (_, i) => label(i)), Array.from({ length: n }, (_, i) => p(i))];
}

describe('pairedBootstrap', () => {
  it('gives 0 everywhere for two identical models', () => {
    const [labels, p] = rows(
      200,
      (i) => (i % 4 === 0 ? 1 : 0),
      (i) => ((i * 37) % 100) / 100,
    );
    const metrics = ['AUC_weighted', 'accuracy', 'average_precision_score_weighted', 'norm_macro_recall'] as const;
    for (const metric of metrics) {
      const r = pairedBootstrap({ metric, labels, champion: p, challenger: p, seed: 1, resamples: 50 });
      expect(r).toEqual({ difference: 0, low: 0, high: 0, confidence: 0.95, resamples: 50, rows: 200 });
    }
  });

  it('keeps every class in every resample (stratified), so one positive row still gives an AUC each time', () => {
    // 1 positive among 50 rows: an unstratified resample misses it with probability (49/50)^50 = 36%.
    // The challenger ranks it first (AUC 1), the champion last (AUC 0): every resample differs by exactly 1.
    const [labels, challenger] = rows(
      50,
      (i) => (i === 7 ? 1 : 0),
      (i) => (i === 7 ? 0.9 : 0.1 + i / 100),
    );
    const champion = challenger.map((p, i) => (i === 7 ? 0.05 : p));
    const r = pairedBootstrap({ metric: 'AUC_weighted', labels, champion, challenger, seed: 3 });
    expect(r).toEqual({ difference: 1, low: 1, high: 1, confidence: 0.95, resamples: 1000, rows: 50 });
  });

  it('has the width the normal approximation gives a paired difference of accuracies', () => {
    // 1000 rows per class. Per class the champion is right on 800 rows; the challenger also on 60 of the other 200
    // and wrong on 20 of the champion's 800: d = challenger right - champion right is +1 on 60 rows, -1 on 20.
    // Accuracy difference = 2 * 40 / 2000 = 0.04. A stratified resample's variance is sum_k n_k var_k(d) / n^2 with
    // var_k(d) = 80/1000 - (40/1000)^2 = 0.0784: sd = sqrt(2 * 1000 * 0.0784) / 2000 = 0.00626, so the 95% interval
    // is about 0.04 -+ 1.96 * 0.00626. Unpaired resampling would give sd 0.0121 (two independent accuracies).
    const n = 2000;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const right = (i: number, yes: boolean) => (yes === (labels[i] === 1) ? 0.9 : 0.1);
    const k = (i: number) => Math.floor(i / 2); // index within the class, 0..999
    const champion = labels.map((_, i) => right(i, k(i) < 800));
    const challenger = labels.map((_, i) => right(i, (k(i) < 800 && k(i) >= 20) || (k(i) >= 800 && k(i) < 860)));
    const r = pairedBootstrap({ metric: 'accuracy', labels, champion, challenger, seed: 11 });
    expect(r.difference).toBeCloseTo(0.04, 12);
    const half = 1.96 * (Math.sqrt(2 * 1000 * 0.0784) / n);
    expect(Math.abs(r.low - (0.04 - half))).toBeLessThan(0.002);
    expect(Math.abs(r.high - (0.04 + half))).toBeLessThan(0.002);
    expect(Math.abs(r.high - r.low - 2 * half)).toBeLessThan(0.1 * 2 * half);
  });

  it('is the same for the same seed, moves with another seed, and narrows with the confidence', () => {
    const [labels, champion] = rows(
      300,
      (i) => (i % 3 === 0 ? 1 : 0),
      (i) => ((i * 7919) % 300) / 300,
    );
    const challenger = champion.map((p, i) => (labels[i] === 1 ? Math.min(1, p + 0.2) : p));
    const input = { metric: 'AUC_weighted' as const, labels, champion, challenger, resamples: 400 };
    const a = pairedBootstrap({ ...input, seed: 5 });
    expect(pairedBootstrap({ ...input, seed: 5 })).toEqual(a);
    const b = pairedBootstrap({ ...input, seed: 6 });
    expect([b.low, b.high]).not.toEqual([a.low, a.high]);
    expect(a.difference).toBe(b.difference);
    const auc = (p: number[]) => metricValue('AUC_weighted', labels, p);
    expect(a.difference).toBeCloseTo(auc(challenger) - auc(champion), 14);
    expect(a.low).toBeLessThan(a.difference);
    expect(a.high).toBeGreaterThan(a.difference);
    const half = pairedBootstrap({ ...input, seed: 5, confidence: 0.5 });
    expect(half.low).toBeGreaterThan(a.low);
    expect(half.high).toBeLessThan(a.high);
  });

  it('compares models of more than two classes on their probability matrices', () => {
    // Three classes, 30 rows each; the challenger puts 0.8 on the true class of every row, the champion on the rows
    // with floor(i / 3) even (15 per class) and on the next class otherwise: accuracy 1 against 1/2, difference 1/2.
    // Per class d = 1 - champion right has variance 1/4: sd = sqrt(3 * 30 / 4) / 90 = 0.0527.
    const labels = Array.from({ length: 90 }, (_, i) => i % 3);
    const onehot = (c: number) => [0, 1, 2].map((k) => (k === c ? 0.8 : 0.1));
    const challenger = labels.flatMap((c) => onehot(c));
    const champion = labels.flatMap((c, i) => onehot(Math.floor(i / 3) % 2 === 0 ? c : (c + 1) % 3));
    const input = { metric: 'accuracy' as const, labels, challenger, nClasses: 3, seed: 2 };
    const r = pairedBootstrap({ ...input, champion });
    expect(r.difference).toBeCloseTo(0.5, 12);
    const half = 1.96 * (Math.sqrt((3 * 30) / 4) / 90);
    expect(Math.abs(r.low - (0.5 - half))).toBeLessThan(0.02);
    expect(Math.abs(r.high - (0.5 + half))).toBeLessThan(0.02);
    // A champion right on all of class 0 only is right on exactly 30 rows of every stratified resample.
    const classZero = labels.flatMap((c) => onehot(c === 0 ? 0 : (c + 1) % 3));
    const exact = pairedBootstrap({ ...input, champion: classZero, resamples: 200 });
    for (const x of [exact.difference, exact.low, exact.high]) expect(x).toBeCloseTo(2 / 3, 12);
  });

  it('says what is wrong with its input', () => {
    const base = { metric: 'AUC_weighted' as const, labels: [0, 1, 0], champion: [0.1, 0.9, 0.2], seed: 1 };
    const run = (over: object) => () => pairedBootstrap({ ...base, challenger: [0.3, 0.6, 0.1], ...over });
    expect(run({ labels: [], champion: [], challenger: [] })).toThrow('there are no test rows');
    expect(run({ labels: [1, 1, 1] })).toThrow('AUC_weighted cannot compare two models on test rows of one class');
    expect(run({ challenger: [0.3, 0.6] })).toThrow('the challenger has 2 predicted probabilities for 3 test rows');
    expect(run({ champion: [0.1, NaN, 0.2] })).toThrow("the champion's probability 1 is NaN, not in [0, 1]");
    expect(run({ labels: [0, 2, 1] })).toThrow('label of test row 1 is 2, not a class code 0..1');
    expect(run({ confidence: 1 })).toThrow('confidence must be between 0 and 1, got 1');
    expect(run({ resamples: 0 })).toThrow('resamples must be a whole number >= 1, got 0');
    expect(run({ nClasses: 1 })).toThrow('nClasses must be a whole number >= 2, got 1');
  });
});

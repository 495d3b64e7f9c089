// Fixed-seed GBDT, random forest and extra trees on synthetic bins give the recorded trees and probabilities exactly.
import { applyBins, binCounts, fitBins, fitGbdt } from '../../../../src/automl';
import { fitForest } from '../../../../src/automl/forest';
import { Rng } from '../../../../src/automl/rng';

// Values recorded from the tree code before its split into histogram / splitting / grower / packed modules: a
// change here means the learners' outputs moved, which a refactor must not do (re-record only on purpose).
describe('tree learners with a fixed seed', () => {
  // 800 rows: x1, x2 (XOR signal, x2 5% missing), noise, a 4-level code; 3% label noise.
  const rng = new Rng(11);
  const nRows = 800;
  const F = 4;
  const X = new Float64Array(nRows * F);
  const y = new Uint8Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const x1 = rng.next() * 2 - 1;
    const x2 = rng.next() * 2 - 1;
    X.set([x1, rng.next() < 0.05 ? NaN : x2, rng.normal(), rng.int(4)], r * F);
    y[r] = Number(x1 > 0 !== x2 > 0) ^ Number(rng.next() < 0.03);
  }
  const spec = fitBins(X, nRows, F);
  const data = { bins: applyBins(spec, X, nRows), nRows, nFeatures: F, nBins: binCounts(spec), y };
  const all = Uint32Array.from({ length: nRows }, (_, i) => i);
  const rows = [0, 1, 2, 3, 399, 799];
  const summary = (model: { trees: { feature: Int32Array }[] }, p: Float64Array) => ({
    nodes: model.trees.reduce((a, t) => a + t.feature.length, 0),
    rows: rows.map((r) => p[r]),
    sum: p.reduce((a, v) => a + v, 0),
  });

  it('GBDT (row and column subsampling, early stopping)', () => {
    const { model, bestIteration } = fitGbdt(data, all.subarray(0, 600), all.subarray(600), {
      nEstimators: 60,
      learningRate: 0.2,
      maxLeaves: 12,
      maxDepth: 5,
      minChildSamples: 8,
      minChildWeight: 1e-3,
      lambda: 1,
      subsample: 0.8,
      colsample: 0.75,
      earlyStoppingRounds: 10,
      seed: 5,
    });
    expect(bestIteration).toBe(28);
    expect(summary(model, model.predict(data.bins, F, all))).toEqual({
      nodes: 291,
      rows: [
        0.9357674100776799, 0.07915957299916909, 0.9550511839872733, 0.9309688489272082, 0.06818599992746806,
        0.9142008536608676,
      ],
      sum: 383.22480304536384,
    });
  });

  it('random forest (bootstrap, per-node features)', () => {
    const model = fitForest(data, all, {
      nEstimators: 8,
      maxFeatures: 0.5,
      minSamplesLeaf: 3,
      maxDepth: 0,
      bootstrap: true,
      randomThresholds: false,
      seed: 7,
    });
    expect(summary(model, model.predict(data.bins, F, all))).toEqual({
      nodes: 499,
      rows: [1, 0, 0.8229166666666666, 0.7708333333333333, 0.125, 1],
      sum: 373.4166666666667,
    });
  });

  it('extra trees (random thresholds, depth limit)', () => {
    const model = fitForest(data, all, {
      nEstimators: 8,
      maxFeatures: 0.75,
      minSamplesLeaf: 2,
      maxDepth: 8,
      bootstrap: false,
      randomThresholds: true,
      seed: 8,
    });
    expect(summary(model, model.predict(data.bins, F, all))).toEqual({
      nodes: 668,
      rows: [0.7979278559249786, 0, 0.7399735692020952, 0.6212093286070173, 0.03880338482507951, 0.9405074052885838],
      sum: 377,
    });
  });
});

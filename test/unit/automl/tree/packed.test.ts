// Packed tree scoring (rows in lockstep, or one row through trees in lockstep) against the plain node-by-node walk.
import { fitGbdt, parseCsv, prepareExperiment } from '../../../../src/automl';
import { sigmoid } from '../../../../src/automl/gbdt';
import { predictTree } from '../../../../src/automl/tree/predictor';
import { syntheticRows, toCsv } from '../synthetic';

describe('packed tree scoring', () => {
  const table = parseCsv(toCsv(syntheticRows({ rows: 1200, pattern: 'xor', seed: 5 })));
  const prep = prepareExperiment(table, { target: 'label', timeoutSeconds: 10 });
  const data = prep.data;
  const all = Uint32Array.from({ length: data.nRows }, (_, i) => i);
  // 30 trees: seven groups of four and two left over; leaf-wise trees of uneven depth.
  const { model } = fitGbdt(data, all, undefined, {
    nEstimators: 30,
    learningRate: 0.2,
    maxLeaves: 12,
    maxDepth: 0,
    minChildSamples: 5,
    minChildWeight: 1e-3,
    lambda: 1,
    subsample: 0.9,
    colsample: 1,
    earlyStoppingRounds: 0,
    seed: 3,
  });
  const F = data.nFeatures;
  const walked = (row: number): number => {
    let s = model.init;
    for (const t of model.trees) s += predictTree(t, data.bins, row * F);
    return sigmoid(s);
  };

  it.each([1, 2, 3, 4, 5, 7, 8, 101])("gives the plain walk's probabilities bit for bit for %i rows", (n) => {
    const idx = Uint32Array.from({ length: n }, (_, i) => (i * 37) % data.nRows);
    const packed = model.predict(data.bins, F, idx);
    expect(model.trees.length).toBe(30);
    expect(Array.from(packed)).toEqual(Array.from(idx, walked));
  });
});

// The learners on synthetic patterns: trees must solve XOR, which a linear model cannot.
import { computeMetrics, LEARNERS, prepareExperiment, runTrial, parseCsv } from '../../../src/automl';
import { syntheticRows, toCsv } from './synthetic';

describe('learners on XOR', () => {
  const table = parseCsv(toCsv(syntheticRows({ rows: 1500, pattern: 'xor', seed: 3 })));
  const prep = prepareExperiment(table, { target: 'label', timeoutSeconds: 10 });
  const auc = (algorithm: string, hyperparameters: Record<string, number>) =>
    runTrial(prep, { algorithm, hyperparameters }, 1).metrics.AUC_weighted;

  it('uses cross-validation on small data', () => {
    expect(prep.validation.method).toBe('cv');
  });

  it('gradient boosting separates XOR', () => {
    expect(
      auc('GradientBoosting', { nEstimators: 100, learningRate: 0.1, maxLeaves: 8, minChildSamples: 10 }),
    ).toBeGreaterThan(0.93);
  });

  it('random forest and extra trees separate XOR', () => {
    expect(auc('RandomForest', { nEstimators: 30, maxFeatures: 0.5, minSamplesLeaf: 2 })).toBeGreaterThan(0.9);
    expect(auc('ExtremeRandomTrees', { nEstimators: 30, maxFeatures: 0.5, minSamplesLeaf: 2 })).toBeGreaterThan(0.9);
  });

  it('logistic regression cannot (and is not expected to)', () => {
    expect(auc('LogisticRegression', { C: 1 })).toBeLessThan(0.6);
  });

  it('logistic regression learns a linear rule', () => {
    const lin = prepareExperiment(parseCsv(toCsv(syntheticRows({ rows: 1500, pattern: 'linear', seed: 4 }))), {
      target: 'label',
      timeoutSeconds: 10,
    });
    const out = runTrial(lin, { algorithm: 'LogisticRegression', hyperparameters: { C: 1 } }, 1);
    expect(out.metrics.AUC_weighted).toBeGreaterThan(0.9);
    expect(computeMetrics(lin.evalY, out.preds).accuracy).toBeGreaterThan(0.8);
  });

  it('every learner has a search space and a low-cost start inside it', () => {
    for (const l of LEARNERS) {
      for (const d of l.space) {
        const v = l.lowCost[d.name] as number;
        expect(v).toBeGreaterThanOrEqual(d.lo);
        expect(v).toBeLessThanOrEqual(d.hi);
      }
    }
  });
});

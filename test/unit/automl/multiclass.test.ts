// More than two classes: one-vs-rest learners, K-column probabilities, exact artifact round trip.
import {
  buildResult,
  loadModel,
  type ModelArtifact,
  parseCsv,
  prepareExperiment,
  type RawRow,
  runTrial,
  train,
} from '../../../src/automl';
import { syntheticRows, toCsv } from './synthetic';

/** Three classes by the value of x1 (with a little noise from the shared generator's other columns). */
function threeClassRows(n: number, seed: number): RawRow[] {
  return syntheticRows({ rows: n, pattern: 'linear', seed }).map((r) => {
    const x1 = Number(r.x1);
    return { ...r, label: x1 < -0.33 ? 'low' : x1 < 0.33 ? 'mid' : 'high' };
  });
}

describe('multiclass', () => {
  const rows = threeClassRows(400, 21);
  const table = parseCsv(toCsv(rows));

  it('trains, ranks and scores with one probability per class', () => {
    const r = train(table, { target: 'label', timeoutSeconds: 60, maxTrials: 4, seed: 2 }, { now: Date.now });
    expect(r.artifact.classes).toEqual(['high', 'low', 'mid']);
    expect(r.best.metrics.AUC_weighted).toBeGreaterThan(0.95);
    expect(r.best.metrics.accuracy).toBeGreaterThan(0.85);
    expect(r.explanation[0].column).toBe('x1');
    const model = loadModel(JSON.parse(JSON.stringify(r.artifact)) as ModelArtifact);
    const p = model.predictProba([{ x1: -0.9 }, { x1: 0 }, { x1: 0.9 }, {}]);
    for (const row of p) {
      expect(row).toHaveLength(3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    expect(
      model.predict([
        { x1: -0.9, x2: 0 },
        { x1: 0, x2: 0 },
        { x1: 0.9, x2: 0 },
      ]),
    ).toEqual(['low', 'mid', 'high']);
  });

  it('reproduces the probabilities computed at training time exactly', () => {
    const prep = prepareExperiment(table, { target: 'label', timeoutSeconds: 10, validationSize: 0.25 });
    expect(prep.validation.method).toBe('holdout');
    const config = {
      algorithm: 'GradientBoosting',
      hyperparameters: { nEstimators: 30, learningRate: 0.2, maxLeaves: 6 },
    };
    const out = runTrial(prep, config, 5);
    const record = {
      result: { trialId: 0, ...config, metrics: out.metrics, trainSeconds: 0, status: 'Completed' as const },
      score: out.score,
      cost: out.cost,
      preds: out.preds,
      model: out.model,
    };
    const result = buildResult(
      prep,
      [record],
      { members: [{ trialId: 0, weight: 1 }], ensemble: false },
      new Map([[0, out.model]]),
    );
    const model = loadModel(JSON.parse(JSON.stringify(result.artifact)) as ModelArtifact);
    const validRows = Array.from(prep.evalIdx, (i) => rows[i]);
    expect(model.predictProba(validRows).flat()).toEqual(Array.from(out.preds));
    expect(result.artifact.metrics).toEqual(out.metrics);
  });
});

// The model artifact: a JSON round trip scores raw rows exactly as the model did at training time,
// and tolerates odd rows.
import {
  buildResult,
  DEFAULT_SEED,
  loadModel,
  type ModelArtifact,
  parseCsv,
  prepareExperiment,
  type RawRow,
  runTrial,
  type TrialConfig,
  type TrialRecord,
} from '../../../src/automl';
import { syntheticRows, toCsv } from './synthetic';

describe('model artifact', () => {
  // 20,000 rows selects holdout validation, where the trial's model itself scores the validation rows.
  const rows = syntheticRows({ rows: 20000, pattern: 'linear', seed: 9 });
  const table = parseCsv(toCsv(rows));
  const prep = prepareExperiment(table, { target: 'label', timeoutSeconds: 10, seed: DEFAULT_SEED });
  const configs: TrialConfig[] = [
    {
      algorithm: 'GradientBoosting',
      hyperparameters: { nEstimators: 40, learningRate: 0.2, maxLeaves: 8, minChildSamples: 20 },
    },
    { algorithm: 'LogisticRegression', hyperparameters: { C: 1 } },
    { algorithm: 'ExtremeRandomTrees', hyperparameters: { nEstimators: 5, maxFeatures: 0.5, minSamplesLeaf: 5 } },
  ];
  const outs = configs.map((c, i) => runTrial(prep, c, i));
  const records: TrialRecord[] = outs.map((o, i) => ({
    result: {
      trialId: i,
      algorithm: configs[i].algorithm,
      hyperparameters: configs[i].hyperparameters,
      metrics: o.metrics,
      trainSeconds: 0,
      status: 'Completed',
    },
    score: o.score,
    cost: o.cost,
    preds: o.preds,
    model: o.model,
  }));
  // Raw validation rows, as a client would send them (the target column removed).
  const validRows: RawRow[] = Array.from(prep.evalIdx, (i) => {
    const { label: _label, ...inputs } = rows[i];
    return inputs;
  });

  it('is in validation method holdout for this size', () => {
    expect(prep.validation.method).toBe('holdout');
  });

  it.each([0, 1, 2])('reproduces trial %i probabilities exactly after JSON round trip', (k) => {
    const result = buildResult(
      prep,
      records,
      { members: [{ trialId: k, weight: 1 }], ensemble: false },
      new Map([[k, outs[k].model]]),
    );
    const artifact = JSON.parse(JSON.stringify(result.artifact)) as ModelArtifact;
    const model = loadModel(artifact);
    const p = model.predictProba(validRows).map((x) => x[1]);
    expect(p).toEqual(Array.from(outs[k].preds));
    expect(
      model.predictProba(validRows.slice(0, 3)).every((x) => x[0] + x[1] === 1 || Math.abs(x[0] + x[1] - 1) < 1e-15),
    ).toBe(true);
  });

  it('an ensemble artifact reproduces its recorded validation metrics exactly', () => {
    const result = buildResult(
      prep,
      records,
      {
        members: [
          { trialId: 0, weight: 0.6 },
          { trialId: 1, weight: 0.4 },
        ],
        ensemble: true,
      },
      new Map([
        [0, outs[0].model],
        [1, outs[1].model],
      ]),
    );
    expect(result.best.algorithm).toBe('VotingEnsemble');
    const model = loadModel(JSON.parse(JSON.stringify(result.artifact)) as ModelArtifact);
    const p = model.predictProba(validRows).map((x) => x[1]);
    const expected = Array.from(outs[0].preds, (v, i) => 0.6 * v + 0.4 * outs[1].preds[i]);
    expect(p).toEqual(expected);
    expect(result.artifact.exampleRows.length).toBe(5);
    expect(result.artifact.exampleRows[0]).not.toHaveProperty('label');
    expect(result.artifact.inputSchema.map((c) => c.name)).toEqual(['x1', 'x2', 'noise', 'color', 'member']);
  });

  it('scores rows with missing columns, unseen categories and wrong types without throwing', () => {
    const result = buildResult(
      prep,
      records,
      { members: [{ trialId: 0, weight: 1 }], ensemble: false },
      new Map([[0, outs[0].model]]),
    );
    const model = loadModel(result.artifact);
    const odd: RawRow[] = [{}, { x1: 'abc', color: 'purple' }, { x1: 5, x2: null, member: true, extra: 'ignored' }];
    const p = model.predictProba(odd);
    for (const [p0, p1] of p) {
      expect(p1).toBeGreaterThanOrEqual(0);
      expect(p1).toBeLessThanOrEqual(1);
      expect(p0 + p1).toBeCloseTo(1, 12);
    }
    expect(model.predict(odd).every((c) => c === 'yes' || c === 'no')).toBe(true);
  });

  it('refuses documents that are not amlops models', () => {
    expect(() => loadModel({ format: 'other' } as unknown as ModelArtifact)).toThrow(/amlops/);
    expect(() => loadModel({ format: 'amlops-model', formatVersion: 2 } as unknown as ModelArtifact)).toThrow(
      /formatVersion/,
    );
  });
});

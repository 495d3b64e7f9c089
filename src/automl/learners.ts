// The learner catalogue: each algorithm's search space, low-cost start, fit, load and deterministic cost estimate.
import type { FeatureSpec } from './featurizer';
import { type ForestJSON, ForestModel, fitForest } from './forest';
import { type GbdtJSON, GbdtModel, fitGbdt } from './gbdt';
import { type LinearJSON, LinearModel, fitLinear } from './linear';

export type Hyperparameters = Record<string, number | string | boolean>;

/** Rows as every learner sees them: raw feature values (linear) and their bins (trees). */
export interface Frame {
  nRows: number;
  nFeatures: number;
  X: Float64Array;
  bins: Uint8Array;
}

export interface TrainingData extends Frame {
  nBins: Int32Array;
  y: Uint8Array;
  features: FeatureSpec[];
}

export interface FittedLearner {
  /** Positive-class probability of rows `idx` of the frame. */
  predict(frame: Frame, idx: ArrayLike<number>): Float64Array;
  toJSON(): unknown;
  /** Trees kept by early stopping (boosting only), so a refit without validation uses as many. */
  bestIteration?: number;
  /** Scoring work per row, in tree-node visits (a linear model counts as a few). */
  pathLength(): number;
}

export interface Dim {
  name: string;
  lo: number;
  hi: number;
  log: boolean;
  int: boolean;
}

export interface LearnerSpec {
  algorithm: string;
  space: Dim[];
  /** Cheap first configuration (FLAML's low-cost init). */
  lowCost: Hyperparameters;
  /** Known-good configurations worth one trial each early on. */
  defaults: Hyperparameters[];
  fit(
    data: TrainingData,
    trainIdx: Uint32Array,
    validIdx: Uint32Array | undefined,
    hp: Hyperparameters,
    seed: number,
  ): FittedLearner;
  load(json: unknown): FittedLearner;
  /** Relative work of a fitted configuration; deterministic, so search decisions do not depend on timing. */
  cost(hp: Hyperparameters, nRows: number, nFeatures: number, bestIteration?: number): number;
}

const num = (hp: Hyperparameters, k: string, d: number): number => (typeof hp[k] === 'number' ? (hp[k] as number) : d);

function gbdtLearner(): LearnerSpec {
  const wrap = (m: GbdtModel, bestIteration?: number): FittedLearner => ({
    predict: (fr, idx) => m.predict(fr.bins, fr.nFeatures, idx),
    toJSON: () => m.toJSON(),
    bestIteration,
    pathLength: () => m.pathLength(),
  });
  return {
    algorithm: 'GradientBoosting',
    space: [
      { name: 'nEstimators', lo: 4, hi: 2000, log: true, int: true },
      { name: 'learningRate', lo: 0.01, hi: 0.5, log: true, int: false },
      { name: 'maxLeaves', lo: 4, hi: 256, log: true, int: true },
      { name: 'minChildSamples', lo: 2, hi: 200, log: true, int: true },
      { name: 'lambda', lo: 0.001, hi: 100, log: true, int: false },
      { name: 'subsample', lo: 0.5, hi: 1, log: false, int: false },
      { name: 'colsample', lo: 0.3, hi: 1, log: false, int: false },
    ],
    lowCost: {
      nEstimators: 20,
      learningRate: 0.1,
      maxLeaves: 4,
      minChildSamples: 20,
      lambda: 1,
      subsample: 1,
      colsample: 1,
    },
    defaults: [
      {
        nEstimators: 1000,
        learningRate: 0.05,
        maxLeaves: 31,
        minChildSamples: 20,
        lambda: 1,
        subsample: 0.8,
        colsample: 0.8,
      },
      {
        nEstimators: 1000,
        learningRate: 0.03,
        maxLeaves: 15,
        minChildSamples: 40,
        lambda: 5,
        subsample: 0.8,
        colsample: 0.6,
      },
    ],
    fit(data, trainIdx, validIdx, hp, seed) {
      const r = fitGbdt(data, trainIdx, validIdx, {
        nEstimators: num(hp, 'nEstimators', 100),
        learningRate: num(hp, 'learningRate', 0.1),
        maxLeaves: num(hp, 'maxLeaves', 31),
        maxDepth: num(hp, 'maxDepth', 0),
        minChildSamples: num(hp, 'minChildSamples', 20),
        minChildWeight: 1e-3,
        lambda: num(hp, 'lambda', 1),
        subsample: num(hp, 'subsample', 1),
        colsample: num(hp, 'colsample', 1),
        earlyStoppingRounds: num(hp, 'earlyStoppingRounds', 40),
        seed,
      });
      return wrap(r.model, r.bestIteration);
    },
    load: (j) => wrap(GbdtModel.fromJSON(j as GbdtJSON)),
    cost: (hp, n, F, best) =>
      (best ?? num(hp, 'nEstimators', 100)) *
      (3 + Math.log2(num(hp, 'maxLeaves', 31))) *
      num(hp, 'subsample', 1) *
      (0.3 + 0.7 * num(hp, 'colsample', 1)) *
      n *
      F,
  };
}

function forestLearner(algorithm: 'RandomForest' | 'ExtremeRandomTrees'): LearnerSpec {
  const extra = algorithm === 'ExtremeRandomTrees';
  const wrap = (m: ForestModel): FittedLearner => ({
    predict: (fr, idx) => m.predict(fr.bins, fr.nFeatures, idx),
    toJSON: () => m.toJSON(),
    pathLength: () => m.pathLength(),
  });
  return {
    algorithm,
    space: [
      { name: 'nEstimators', lo: 4, hi: 300, log: true, int: true },
      { name: 'maxFeatures', lo: 0.1, hi: 1, log: false, int: false },
      { name: 'minSamplesLeaf', lo: 1, hi: 64, log: true, int: true },
    ],
    lowCost: { nEstimators: 8, maxFeatures: 0.5, minSamplesLeaf: 4 },
    defaults: [{ nEstimators: 100, maxFeatures: extra ? 0.7 : 0.4, minSamplesLeaf: 3 }],
    fit(data, trainIdx, _valid, hp, seed) {
      return wrap(
        fitForest(data, trainIdx, {
          nEstimators: num(hp, 'nEstimators', 100),
          maxFeatures: num(hp, 'maxFeatures', 0.5),
          minSamplesLeaf: num(hp, 'minSamplesLeaf', 1),
          maxDepth: num(hp, 'maxDepth', 0),
          bootstrap: !extra,
          randomThresholds: extra,
          seed,
        }),
      );
    },
    load: (j) => wrap(ForestModel.fromJSON(j as ForestJSON)),
    cost: (hp, n, F) => num(hp, 'nEstimators', 100) * (3 + Math.log2(n / num(hp, 'minSamplesLeaf', 1))) * 0.6 * n * F,
  };
}

function linearLearner(): LearnerSpec {
  const wrap = (m: LinearModel): FittedLearner => ({
    predict: (fr, idx) => m.predict(fr.X, fr.nFeatures, idx),
    toJSON: () => m.toJSON(),
    pathLength: () => m.w.length / 10,
  });
  return {
    algorithm: 'LogisticRegression',
    space: [{ name: 'C', lo: 0.001, hi: 1000, log: true, int: false }],
    lowCost: { C: 1 },
    defaults: [],
    fit: (data, trainIdx, _valid, hp) => wrap(fitLinear(data, trainIdx, data.features, { C: num(hp, 'C', 1) })),
    load: (j) => wrap(LinearModel.fromJSON(j as LinearJSON)),
    cost: (_hp, n, F) => 8 * n * (F * 3) * 4,
  };
}

/**
 * A learner for the experiment's classes: the binary learner itself for two classes, one binary
 * learner per class (one-vs-rest, probabilities normalised per row) for more. Predictions are
 * row-major with predWidth(nClasses) columns.
 */
export function fitForClasses(
  spec: LearnerSpec,
  data: TrainingData,
  trainIdx: Uint32Array,
  validIdx: Uint32Array | undefined,
  hp: Hyperparameters,
  seed: number,
  nClasses: number,
): FittedLearner {
  if (nClasses === 2) return spec.fit(data, trainIdx, validIdx, hp, seed);
  const parts: FittedLearner[] = [];
  for (let k = 0; k < nClasses; k++) {
    const yk = Uint8Array.from(data.y, (c) => (c === k ? 1 : 0));
    parts.push(spec.fit({ ...data, y: yk }, trainIdx, validIdx, hp, seed + k));
  }
  return oneVsRest(parts);
}

interface OvrJSON {
  ovr: unknown[];
}

export function loadForClasses(spec: LearnerSpec, json: unknown, nClasses: number): FittedLearner {
  if (nClasses === 2) return spec.load(json);
  return oneVsRest((json as OvrJSON).ovr.map((j) => spec.load(j)));
}

function oneVsRest(parts: FittedLearner[]): FittedLearner {
  const K = parts.length;
  const iters = parts.map((p) => p.bestIteration).filter((x): x is number => x !== undefined);
  return {
    predict(frame, idx) {
      const cols = parts.map((p) => p.predict(frame, idx));
      const out = new Float64Array(idx.length * K);
      for (let i = 0; i < idx.length; i++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += cols[k][i];
        for (let k = 0; k < K; k++) out[i * K + k] = sum > 0 ? cols[k][i] / sum : 1 / K;
      }
      return out;
    },
    toJSON: (): OvrJSON => ({ ovr: parts.map((p) => p.toJSON()) }),
    bestIteration: iters.length ? Math.max(1, Math.round(iters.reduce((a, b) => a + b, 0) / iters.length)) : undefined,
    pathLength: () => parts.reduce((a, p) => a + p.pathLength(), 0),
  };
}

export const LEARNERS: LearnerSpec[] = [
  gbdtLearner(),
  linearLearner(),
  forestLearner('RandomForest'),
  forestLearner('ExtremeRandomTrees'),
];

export function learnerFor(algorithm: string): LearnerSpec {
  const l = LEARNERS.find((x) => x.algorithm === algorithm);
  if (!l) throw new Error(`Unknown algorithm "${algorithm}"; known: ${LEARNERS.map((x) => x.algorithm).join(', ')}.`);
  return l;
}

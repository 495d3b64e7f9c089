// The model artifact: featurizer + bins + weighted learners as one JSON document,
// and loadModel() to score raw rows with it.
import { type BinMapperSpec, applyBins, binCounts, compileBins } from './binning';
import { Featurizer, type FeaturizerSpec } from './featurizer';
import { type FittedLearner, type Frame, learnerFor, loadForClasses } from './learners';
import { predWidth } from './metrics';
import type { LoadedModel, ModelArtifact, RawRow } from './types';

export interface MemberJSON {
  algorithm: string;
  weight: number;
  hyperparameters: Record<string, number | string | boolean>;
  params: unknown;
}

/** The engine-specific `model` field of a ModelArtifact. */
export interface EngineModelJSON {
  engine: 'amlops-automl';
  featurizer: FeaturizerSpec;
  bins: BinMapperSpec;
  members: MemberJSON[];
}

/** A weighted average of fitted learners' probabilities (any prediction width). */
export class EnsemblePredictor {
  constructor(readonly members: { learner: FittedLearner; weight: number }[]) {}
  predict(frame: Frame, idx: ArrayLike<number>): Float64Array {
    let out: Float64Array | undefined;
    for (const m of this.members) {
      const p = m.learner.predict(frame, idx);
      out ??= new Float64Array(p.length);
      for (let i = 0; i < out.length; i++) out[i] += m.weight * p[i];
    }
    // A single member with weight 1 reproduces its own probabilities bit for bit (0 + 1 * p = p).
    return out ?? new Float64Array(0);
  }
}

export function rangeIdx(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

class Loaded implements LoadedModel {
  readonly inputSchema;
  readonly classes;
  private readonly featurizer: Featurizer;
  private readonly predictor: EnsemblePredictor;
  private readonly bins: BinMapperSpec;
  private readonly binUppers: Float64Array[];
  constructor(readonly artifact: ModelArtifact) {
    const m = artifact.model as EngineModelJSON;
    this.featurizer = new Featurizer(m.featurizer);
    this.bins = m.bins;
    this.binUppers = compileBins(m.bins);
    const K = artifact.classes.length;
    this.predictor = new EnsemblePredictor(
      m.members.map((mem) => ({
        learner: loadForClasses(learnerFor(mem.algorithm), mem.params, K),
        weight: mem.weight,
      })),
    );
    this.inputSchema = artifact.inputSchema;
    this.classes = artifact.classes;
  }
  /** Row-major probabilities, predWidth(classes) per row. */
  private proba(rows: RawRow[]): Float64Array {
    const X = this.featurizer.transform(rows);
    const frame: Frame = {
      nRows: rows.length,
      nFeatures: this.featurizer.nFeatures,
      X,
      bins: applyBins(this.bins, X, rows.length, this.binUppers),
    };
    return this.predictor.predict(frame, rangeIdx(rows.length));
  }
  predictProba(rows: RawRow[]): number[][] {
    const p = this.proba(rows);
    const K = this.classes.length;
    if (K === 2) return Array.from(p, (v) => [1 - v, v]);
    return Array.from({ length: rows.length }, (_, i) => Array.from(p.subarray(i * K, i * K + K)));
  }
  predict(rows: RawRow[]): string[] {
    const p = this.proba(rows);
    const K = this.classes.length;
    if (K === 2) return Array.from(p, (v) => (v > 0.5 ? this.classes[1] : this.classes[0]));
    const W = predWidth(K);
    return Array.from({ length: rows.length }, (_, i) => {
      let arg = 0;
      for (let k = 1; k < K; k++) if (p[i * W + k] > p[i * W + arg]) arg = k;
      return this.classes[arg];
    });
  }
}

/**
 * Loads an artifact (parsed JSON) for scoring. Throws a plain Error naming the problem if the
 * document is not an amlops model of a format version this engine reads.
 */
export function loadModel(artifact: ModelArtifact): LoadedModel {
  if (!artifact || artifact.format !== 'amlops-model')
    throw new Error('Not an amlops model artifact (format must be "amlops-model").');
  if (artifact.formatVersion !== 1)
    throw new Error(
      `Unsupported model formatVersion ${artifact.formatVersion}; this engine reads version 1. Retrain or upgrade amlops.`,
    );
  const m = artifact.model as EngineModelJSON | undefined;
  if (!m || m.engine !== 'amlops-automl')
    throw new Error("The artifact's model was not produced by the amlops AutoML engine.");
  return new Loaded(artifact);
}

export { binCounts };

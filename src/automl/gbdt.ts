// Gradient-boosted trees for binary log-loss: bagging, column sampling, shrinkage, early stopping on validation rows.
import { Rng } from './rng';
import {
  type BinnedData,
  meanLeafDepth,
  PackedTrees,
  predictTree,
  type Tree,
  TreeGrower,
  type TreeJSON,
  treeFromJSON,
  treeToJSON,
} from './tree';

export interface GbdtParams {
  nEstimators: number;
  learningRate: number;
  maxLeaves: number;
  maxDepth: number;
  minChildSamples: number;
  minChildWeight: number;
  lambda: number;
  /** Fraction of rows per tree. */
  subsample: number;
  /** Fraction of features per tree. */
  colsample: number;
  /** Stop when validation log-loss has not improved for this many trees (0 = never). */
  earlyStoppingRounds: number;
  seed: number;
}

export interface GbdtJSON {
  init: number;
  trees: TreeJSON[];
}

export class GbdtModel {
  private packed: PackedTrees | undefined;
  constructor(
    readonly init: number,
    readonly trees: Tree[],
  ) {}

  /** Probability of the positive class for rows `idx` of binned data (scores summed in tree order, as in training). */
  predict(bins: Uint8Array, nFeatures: number, idx: ArrayLike<number>): Float64Array {
    const out = new Float64Array(idx.length).fill(this.init);
    (this.packed ??= new PackedTrees(this.trees)).accumulate(bins, nFeatures, idx, out);
    for (let i = 0; i < out.length; i++) out[i] = sigmoid(out[i]);
    return out;
  }

  /** Tree nodes a scored row visits. */
  pathLength(): number {
    return this.trees.reduce((a, t) => a + meanLeafDepth(t), 0);
  }

  toJSON(): GbdtJSON {
    return { init: this.init, trees: this.trees.map(treeToJSON) };
  }
  static fromJSON(j: GbdtJSON): GbdtModel {
    return new GbdtModel(j.init, j.trees.map(treeFromJSON));
  }
}

export function sigmoid(s: number): number {
  return 1 / (1 + Math.exp(-s));
}

export interface GbdtFit {
  model: GbdtModel;
  /** Number of trees kept (best validation iteration), for refitting without validation. */
  bestIteration: number;
}

/** Fits on rows `trainIdx`; with `validIdx`, stops early and keeps the trees up to the best validation log-loss. */
export function fitGbdt(
  data: BinnedData & { y: Uint8Array },
  trainIdx: Uint32Array,
  validIdx: Uint32Array | undefined,
  p: GbdtParams,
): GbdtFit {
  const rng = new Rng(p.seed);
  const F = data.nFeatures;
  const y = data.y;
  const nTrain = trainIdx.length;
  let pos = 0;
  for (let i = 0; i < nTrain; i++) pos += y[trainIdx[i]];
  const prior = Math.min(Math.max(pos / nTrain, 1e-6), 1 - 1e-6);
  const init = Math.log(prior / (1 - prior));
  const grad = new Float64Array(data.nRows);
  const hess = new Float64Array(data.nRows);
  const score = new Float64Array(data.nRows).fill(init);
  const grower = new TreeGrower(data, {
    maxLeaves: p.maxLeaves,
    maxDepth: p.maxDepth,
    minChildSamples: p.minChildSamples,
    minChildWeight: p.minChildWeight,
    lambda: p.lambda,
    minSplitGain: 0,
    nodeFeatureFraction: 1,
    randomThresholds: false,
    depthFirst: false,
  });
  const trees: Tree[] = [];
  const sample = new Uint32Array(nTrain);
  const allFeats = new Int32Array(F).map((_, i) => i);
  const nCols = Math.max(1, Math.round(p.colsample * F));
  let bestLoss = Infinity;
  let bestIter = 0;
  for (let it = 0; it < p.nEstimators; it++) {
    for (let i = 0; i < nTrain; i++) {
      const r = trainIdx[i];
      const pr = sigmoid(score[r]);
      grad[r] = pr - y[r];
      hess[r] = Math.max(pr * (1 - pr), 1e-16);
    }
    let m = 0;
    if (p.subsample < 1) {
      for (let i = 0; i < nTrain; i++) if (rng.next() < p.subsample) sample[m++] = trainIdx[i];
    } else {
      sample.set(trainIdx);
      m = nTrain;
    }
    let feats = allFeats;
    if (nCols < F) {
      const s = allFeats.slice();
      for (let k = 0; k < nCols; k++) {
        const j = k + rng.int(F - k);
        const t = s[k];
        s[k] = s[j];
        s[j] = t;
      }
      feats = s.subarray(0, nCols).sort();
    }
    const tree = grower.grow(grad, hess, sample, m, feats, rng);
    for (let k = 0; k < tree.value.length; k++) tree.value[k] *= p.learningRate;
    trees.push(tree);
    if (m === nTrain)
      grower.addLeafValues(tree, score); // every training row is in some leaf's range
    else {
      for (let i = 0; i < nTrain; i++) {
        const r = trainIdx[i];
        score[r] += predictTree(tree, data.bins, r * F);
      }
    }
    if (validIdx && validIdx.length > 0) {
      let loss = 0;
      for (let i = 0; i < validIdx.length; i++) {
        const r = validIdx[i];
        const s = (score[r] += predictTree(tree, data.bins, r * F));
        // log(1+exp(-s)) for y=1, log(1+exp(s)) for y=0, computed stably.
        const z = y[r] ? -s : s;
        loss += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      }
      if (loss < bestLoss - 1e-12) {
        bestLoss = loss;
        bestIter = it + 1;
      } else if (p.earlyStoppingRounds > 0 && it + 1 - bestIter >= p.earlyStoppingRounds) break;
    } else bestIter = it + 1;
  }
  trees.length = Math.max(1, bestIter);
  return { model: new GbdtModel(init, trees), bestIteration: trees.length };
}

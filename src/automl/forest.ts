// Random forest and extra trees: deep trees on the shared tree grower, averaging each leaf's positive rate.
import { Rng } from './rng';
import {
  type BinnedData,
  meanLeafDepth,
  PackedTrees,
  type Tree,
  TreeGrower,
  type TreeJSON,
  treeFromJSON,
  treeToJSON,
} from './tree';

export interface ForestParams {
  nEstimators: number;
  /** Fraction of features tried at each node. */
  maxFeatures: number;
  minSamplesLeaf: number;
  /** 0 = unlimited. */
  maxDepth: number;
  /** Random forest samples rows with replacement per tree; extra trees use all rows. */
  bootstrap: boolean;
  /** Extra trees: random thresholds. */
  randomThresholds: boolean;
  seed: number;
}

export interface ForestJSON {
  trees: TreeJSON[];
}

export class ForestModel {
  private packed: PackedTrees | undefined;
  constructor(readonly trees: Tree[]) {}

  /** Mean positive rate over trees for rows `idx`. */
  predict(bins: Uint8Array, nFeatures: number, idx: ArrayLike<number>): Float64Array {
    const out = new Float64Array(idx.length);
    (this.packed ??= new PackedTrees(this.trees)).accumulate(bins, nFeatures, idx, out);
    const inv = 1 / this.trees.length;
    for (let i = 0; i < out.length; i++) out[i] *= inv;
    return out;
  }
  /** Tree nodes a scored row visits. */
  pathLength(): number {
    return this.trees.reduce((a, t) => a + meanLeafDepth(t), 0);
  }
  toJSON(): ForestJSON {
    return { trees: this.trees.map(treeToJSON) };
  }
  static fromJSON(j: ForestJSON): ForestModel {
    return new ForestModel(j.trees.map(treeFromJSON));
  }
}

export function fitForest(data: BinnedData & { y: Uint8Array }, trainIdx: Uint32Array, p: ForestParams): ForestModel {
  const rng = new Rng(p.seed);
  // Squared loss with gradient -y and hessian 1 makes each leaf value the mean label (positive rate).
  const grad = new Float64Array(data.nRows);
  const hess = new Float64Array(data.nRows);
  for (let i = 0; i < trainIdx.length; i++) {
    const r = trainIdx[i];
    grad[r] = -data.y[r];
    hess[r] = 1;
  }
  const grower = new TreeGrower(data, {
    maxLeaves: 1 << 30,
    maxDepth: p.maxDepth,
    // At most ~16k leaves per tree, whatever the data size: bounds model memory and scoring time.
    minChildSamples: Math.max(p.minSamplesLeaf, Math.ceil(trainIdx.length / 16384)),
    minChildWeight: 0,
    lambda: 0,
    minSplitGain: 0,
    nodeFeatureFraction: p.maxFeatures,
    randomThresholds: p.randomThresholds,
    depthFirst: true,
  });
  const feats = new Int32Array(data.nFeatures).map((_, i) => i);
  const n = trainIdx.length;
  const sample = new Uint32Array(n);
  const trees: Tree[] = [];
  for (let t = 0; t < p.nEstimators; t++) {
    if (p.bootstrap) for (let i = 0; i < n; i++) sample[i] = trainIdx[rng.int(n)];
    else sample.set(trainIdx);
    trees.push(grower.grow(grad, hess, sample, n, feats, rng));
  }
  return new ForestModel(trees);
}

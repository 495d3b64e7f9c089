// The tree grower shared by gradient boosting, random forest and extra trees: pick a leaf, partition its rows, split.
import type { Rng } from '../rng';
import { type BinnedData, HistogramBuilder } from './histogram';
import type { Tree } from './predictor';
import { SplitFinder, type SplitInfo, type SplitParams } from './splitting';

export interface TreeParams extends SplitParams {
  maxLeaves: number;
  /** 0 = unlimited. */
  maxDepth: number;
  /** Grow depth-first (bounded memory for deep forest trees) instead of best-gain-first. */
  depthFirst: boolean;
}

/** A leaf of the growing tree: its rows idx[start..end), their sums, and its best split once found. */
interface Leaf {
  start: number;
  end: number;
  depth: number;
  hist: Float64Array | null;
  gradientSum: number;
  hessianSum: number;
  count: number;
  /** The node whose child this leaf is (-1 for the root), and on which side. */
  parentNode: number;
  isLeft: boolean;
  split: SplitInfo | undefined;
}

/** The split nodes of a growing tree, in the order they are made (the Tree's arrays). */
interface Nodes {
  feature: number[];
  threshold: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
}

/** Grows trees over one binned dataset; histogram buffers are reused across the trees of an ensemble. */
export class TreeGrower {
  private readonly histograms: HistogramBuilder;
  private readonly splitter: SplitFinder;
  private readonly maxLeaves: number;
  private idx: Uint32Array = new Uint32Array(0);
  /** After grow(): leaf k of the last tree holds sample rows idx[leafStart[k] .. leafEnd[k]). */
  private leafStart: number[] = [];
  private leafEnd: number[] = [];

  constructor(
    private readonly data: BinnedData,
    private readonly p: TreeParams,
  ) {
    this.histograms = new HistogramBuilder(data);
    this.splitter = new SplitFinder(this.histograms.layout, p);
    // Best-first growth keeps one histogram per open leaf: cap the leaves so that stays under ~256 MB
    // on wide data (16 bytes per bin).
    const totalBins = this.histograms.layout.totalBins;
    if (!p.depthFirst) this.maxLeaves = Math.max(2, Math.min(p.maxLeaves, Math.floor((256 << 20) / (totalBins * 16))));
    else this.maxLeaves = p.maxLeaves;
  }

  /** Adds each leaf's value (scaled) to score[r] for every sample row r of the last tree grown. */
  addLeafValues(tree: Tree, score: Float64Array): void {
    const idx = this.idx;
    for (let k = 0; k < this.leafStart.length; k++) {
      const v = tree.value[k];
      for (let i = this.leafStart[k], e = this.leafEnd[k]; i < e; i++) score[idx[i]] += v;
    }
  }

  /**
   * Grows one tree on rows[0..nRows) (duplicates allowed: bootstrap), fitting leaf values
   * -G/(H+lambda) to the given gradients and hessians. `feats` are the features this tree may use.
   */
  grow(grad: Float64Array, hess: Float64Array, rows: Uint32Array, nRows: number, feats: Int32Array, rng: Rng): Tree {
    if (this.idx.length < nRows) this.idx = new Uint32Array(nRows);
    const idx = this.idx;
    idx.set(rows.subarray(0, nRows));
    let g0 = 0;
    let h0 = 0;
    for (let i = 0; i < nRows; i++) {
      const r = idx[i];
      g0 += grad[r];
      h0 += hess[r];
    }
    const root = leaf(0, nRows, 0, g0, h0, -1, true);
    if (this.canSplit(root)) {
      root.hist = this.histograms.take();
      this.histograms.build(root.hist, idx, 0, nRows, grad, hess, feats);
      this.findSplit(root, feats, rng);
    }
    const open: Leaf[] = [];
    const done: Leaf[] = [];
    const close = (l: Leaf) => {
      this.histograms.give(l.hist);
      l.hist = null;
      done.push(l);
    };
    const settle = (l: Leaf) => (l.split ? open.push(l) : close(l));
    settle(root);
    const nodes: Nodes = { feature: [], threshold: [], missingLeft: [], left: [], right: [] };
    let nLeaves = 1;
    while (nLeaves < this.maxLeaves && open.length > 0) {
      const parent = this.pick(open);
      const node = addNode(nodes, parent);
      const [left, right] = children(parent, this.partition(parent), node);
      this.findChildSplits(parent, left, right, grad, hess, feats, rng);
      settle(left);
      settle(right);
      nLeaves++;
    }
    for (const l of open) close(l);
    return this.finish(nodes, done);
  }

  /** Within the depth limit, with rows enough for two children (the finder checks each candidate's sizes). */
  private canSplit(l: Leaf): boolean {
    const p = this.p;
    return !(p.maxDepth > 0 && l.depth >= p.maxDepth) && l.count >= 2 * Math.max(1, p.minChildSamples);
  }

  private findSplit(l: Leaf, feats: Int32Array, rng: Rng): void {
    l.split = this.splitter.find(l.hist!, l.gradientSum, l.hessianSum, l.count, feats, rng);
  }

  /** Takes the open leaf to split next: the highest gain (the first of equals), or the newest when depth-first. */
  private pick(open: Leaf[]): Leaf {
    let pick = open.length - 1;
    if (!this.p.depthFirst) {
      for (let k = 0; k < open.length; k++) if (open[k].split!.gain > open[pick].split!.gain) pick = k;
    }
    const l = open[pick];
    open[pick] = open[open.length - 1];
    open.pop();
    return l;
  }

  /** Reorders the leaf's rows so those going left come first; returns where the right ones start. */
  private partition(l: Leaf): number {
    const { feature: f, bin: t, missingLeft: ml } = l.split!;
    const idx = this.idx;
    const bins = this.data.bins;
    const F = this.data.nFeatures;
    let i = l.start;
    let j = l.end - 1;
    while (i <= j) {
      const b = bins[idx[i] * F + f];
      if (b === 0 ? ml : b <= t) i++;
      else {
        const tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
        j--;
      }
    }
    return i;
  }

  /** Gives the children that may split further their histograms and best splits; frees the parent's histogram. */
  private findChildSplits(
    parent: Leaf,
    left: Leaf,
    right: Leaf,
    grad: Float64Array,
    hess: Float64Array,
    feats: Int32Array,
    rng: Rng,
  ): void {
    const needL = this.canSplit(left);
    const needR = this.canSplit(right);
    if (needL || needR) {
      // Histogram subtraction: build the smaller child's, derive the larger's from the parent's.
      const [small, large] = left.count <= right.count ? [left, right] : [right, left];
      small.hist = this.histograms.take();
      this.histograms.build(small.hist, this.idx, small.start, small.end, grad, hess, feats);
      this.histograms.subtract(parent.hist!, small.hist, feats);
      large.hist = parent.hist;
      parent.hist = null;
      if (needL) this.findSplit(left, feats, rng);
      if (needR) this.findSplit(right, feats, rng);
    } else {
      this.histograms.give(parent.hist);
      parent.hist = null;
    }
  }

  /** The Tree of the grown nodes and final leaves, leaves numbered by position so the layout is canonical. */
  private finish(nodes: Nodes, done: Leaf[]): Tree {
    const value = new Float64Array(done.length);
    done.sort((a, b) => a.start - b.start);
    this.leafStart = done.map((l) => l.start);
    this.leafEnd = done.map((l) => l.end);
    done.forEach((l, k) => {
      value[k] = -l.gradientSum / (l.hessianSum + this.p.lambda);
      if (l.parentNode >= 0) (l.isLeft ? nodes.left : nodes.right)[l.parentNode] = ~k;
    });
    return {
      feature: Int32Array.from(nodes.feature),
      threshold: Uint8Array.from(nodes.threshold),
      missingLeft: Uint8Array.from(nodes.missingLeft),
      left: Int32Array.from(nodes.left),
      right: Int32Array.from(nodes.right),
      value,
    };
  }
}

function leaf(
  start: number,
  end: number,
  depth: number,
  gradientSum: number,
  hessianSum: number,
  parentNode: number,
  isLeft: boolean,
): Leaf {
  const count = end - start;
  return { start, end, depth, hist: null, gradientSum, hessianSum, count, parentNode, isLeft, split: undefined };
}

/** The two leaves that replace split leaf `l` (now node `node`), its left rows ending at `mid`. */
function children(l: Leaf, mid: number, node: number): [Leaf, Leaf] {
  const s = l.split!;
  const g = l.gradientSum - s.leftGradientSum;
  const h = l.hessianSum - s.leftHessianSum;
  return [
    leaf(l.start, mid, l.depth + 1, s.leftGradientSum, s.leftHessianSum, node, true),
    leaf(mid, l.end, l.depth + 1, g, h, node, false),
  ];
}

/** Appends the node that splits leaf `l` and links it from its parent node. */
function addNode(nodes: Nodes, l: Leaf): number {
  const s = l.split!;
  const node = nodes.feature.length;
  nodes.feature.push(s.feature);
  nodes.threshold.push(s.bin);
  nodes.missingLeft.push(s.missingLeft ? 1 : 0);
  nodes.left.push(0);
  nodes.right.push(0);
  if (l.parentNode >= 0) (l.isLeft ? nodes.left : nodes.right)[l.parentNode] = node;
  return node;
}

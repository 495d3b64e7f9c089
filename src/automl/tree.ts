// The histogram tree builder shared by gradient boosting, random forest and extra trees (LightGBM's seam: histograms -> best split -> grow).
import type { Rng } from './rng';

/** Feature bins of the rows a learner sees: row-major, one uint8 bin per (row, feature); bin 0 = missing. */
export interface BinnedData {
  bins: Uint8Array;
  nRows: number;
  nFeatures: number;
  /** Bins per feature including the missing bin. */
  nBins: Int32Array;
}

export interface TreeParams {
  maxLeaves: number;
  /** 0 = unlimited. */
  maxDepth: number;
  minChildSamples: number;
  /** Minimum hessian sum in a child (LightGBM's min_child_weight). */
  minChildWeight: number;
  /** L2 regularisation of leaf values. */
  lambda: number;
  minSplitGain: number;
  /** Fraction of the tree's features tried at each node (random forest's max_features); 1 = all. */
  nodeFeatureFraction: number;
  /** Extra trees: one random threshold per feature instead of the best one. */
  randomThresholds: boolean;
  /** Grow depth-first (bounded memory for deep forest trees) instead of best-gain-first. */
  depthFirst: boolean;
}

/**
 * A fitted tree over bins. Node i sends a row left when its bin b of feature[i] satisfies
 * (b === 0 ? missingLeft[i] : b <= threshold[i]). Children >= 0 are nodes, < 0 are leaves (~child).
 * A tree with no nodes is a single leaf.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Uint8Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface TreeJSON {
  f: number[];
  t: number[];
  m: number[];
  l: number[];
  r: number[];
  v: number[];
}

export function treeToJSON(t: Tree): TreeJSON {
  return {
    f: Array.from(t.feature),
    t: Array.from(t.threshold),
    m: Array.from(t.missingLeft),
    l: Array.from(t.left),
    r: Array.from(t.right),
    v: Array.from(t.value),
  };
}

export function treeFromJSON(j: TreeJSON): Tree {
  return {
    feature: Int32Array.from(j.f),
    threshold: Uint8Array.from(j.t),
    missingLeft: Uint8Array.from(j.m),
    left: Int32Array.from(j.l),
    right: Int32Array.from(j.r),
    value: Float64Array.from(j.v),
  };
}

/** Mean depth of a tree's leaves: the nodes a scored row visits, on average over leaves. */
export function meanLeafDepth(t: Tree): number {
  if (t.feature.length === 0) return 0;
  let sum = 0;
  let leaves = 0;
  const stack: number[] = [0, 0];
  while (stack.length) {
    const depth = stack.pop()!;
    const node = stack.pop()!;
    for (const c of [t.left[node], t.right[node]]) {
      if (c < 0) (sum += depth + 1), leaves++;
      else stack.push(c, depth + 1);
    }
  }
  return sum / leaves;
}

/** Leaf value of the row whose bins start at `base` in `bins`. */
export function predictTree(t: Tree, bins: Uint8Array, base: number): number {
  if (t.feature.length === 0) return t.value[0];
  const feature = t.feature;
  const threshold = t.threshold;
  const missingLeft = t.missingLeft;
  const left = t.left;
  const right = t.right;
  let node = 0;
  while (node >= 0) {
    const b = bins[base + feature[node]];
    node = (b === 0 ? missingLeft[node] === 1 : b <= threshold[node]) ? left[node] : right[node];
  }
  return t.value[~node];
}

interface Leaf {
  start: number;
  end: number;
  depth: number;
  hist: Float64Array | null;
  g: number;
  h: number;
  c: number;
  parentNode: number;
  isLeft: boolean;
  // Best split found for this leaf (gain <= 0 means none).
  gain: number;
  feature: number;
  threshold: number;
  missingLeft: boolean;
  lg: number;
  lh: number;
  lc: number;
}

/** Builds trees over one binned dataset; buffers are reused across trees of an ensemble. */
export class TreeBuilder {
  private readonly offsets: Int32Array;
  private readonly totalBins: number;
  private readonly pool: Float64Array[] = [];
  private idx: Uint32Array = new Uint32Array(0);
  /** After build(): leaf k of the last tree holds sample rows idx[leafStart[k] .. leafEnd[k]). */
  private leafStart: number[] = [];
  private leafEnd: number[] = [];
  private readonly featScratch: Int32Array;
  private readonly maxLeaves: number;

  constructor(
    private readonly data: BinnedData,
    private readonly p: TreeParams,
  ) {
    const F = data.nFeatures;
    this.offsets = new Int32Array(F + 1);
    for (let f = 0; f < F; f++) this.offsets[f + 1] = this.offsets[f] + data.nBins[f];
    this.totalBins = this.offsets[F];
    this.featScratch = new Int32Array(F);
    // Best-first growth keeps one histogram per open leaf: cap the leaves so that stays under ~256 MB
    // on wide data (16 bytes per bin).
    if (!p.depthFirst) this.maxLeaves = Math.max(2, Math.min(p.maxLeaves, Math.floor((256 << 20) / (this.totalBins * 16))));
    else this.maxLeaves = p.maxLeaves;
  }

  // Histograms hold (gradient sum, hessian sum) per bin. Bin row counts are not stored: they are
  // estimated as hessian * (rows / hessian) of the leaf, as LightGBM does — exact for forests, whose
  // hessians are all 1.
  private take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.totalBins * 2);
  }
  private give(h: Float64Array | null): void {
    if (h) this.pool.push(h);
  }

  private buildHist(hist: Float64Array, start: number, end: number, grad: Float64Array, hess: Float64Array, feats: Int32Array): void {
    hist.fill(0);
    const idx = this.idx;
    const bins = this.data.bins;
    const F = this.data.nFeatures;
    const off = this.offsets;
    const nf = feats.length;
    if (nf === F) {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const g = grad[r];
        const h = hess[r];
        const base = r * F;
        for (let f = 0; f < F; f++) {
          const o = (off[f] + bins[base + f]) << 1;
          hist[o] += g;
          hist[o + 1] += h;
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = idx[i];
        const g = grad[r];
        const h = hess[r];
        const base = r * F;
        for (let k = 0; k < nf; k++) {
          const f = feats[k];
          const o = (off[f] + bins[base + f]) << 1;
          hist[o] += g;
          hist[o + 1] += h;
        }
      }
    }
  }

  private findSplit(leaf: Leaf, feats: Int32Array, rng: Rng): void {
    const p = this.p;
    leaf.gain = 0;
    if (p.maxDepth > 0 && leaf.depth >= p.maxDepth) return;
    if (leaf.c < 2 * p.minChildSamples || leaf.c < 2) return;
    const hist = leaf.hist!;
    const lambda = p.lambda;
    const G = leaf.g;
    const H = leaf.h;
    const C = leaf.c;
    const parent = (G * G) / (H + lambda);
    const cPerH = C / H; // estimated rows per unit of hessian
    const minC = Math.max(1, p.minChildSamples);
    const minH = p.minChildWeight;
    let best = p.minSplitGain > 0 ? p.minSplitGain : 1e-12;
    let cand = feats;
    let nCand = feats.length;
    if (p.nodeFeatureFraction < 1) {
      const s = this.featScratch;
      for (let k = 0; k < nCand; k++) s[k] = feats[k];
      const want = Math.max(1, Math.round(p.nodeFeatureFraction * nCand));
      for (let k = 0; k < want; k++) {
        const j = k + rng.int(nCand - k);
        const t = s[k];
        s[k] = s[j];
        s[j] = t;
      }
      cand = s;
      nCand = want;
    }
    const off = this.offsets;
    const nBins = this.data.nBins;
    for (let k = 0; k < nCand; k++) {
      const f = cand[k];
      const o = off[f] * 2;
      const nb = nBins[f];
      const gm = hist[o];
      const hm = hist[o + 1];
      const cm = hm * cPerH;
      let lo = 1;
      let hi = nb - 1;
      if (p.randomThresholds) {
        while (lo <= hi && hist[o + lo * 2 + 1] === 0) lo++;
        while (hi >= lo && hist[o + hi * 2 + 1] === 0) hi--;
        if (lo > hi) continue; // no value rows here: nothing to split on
        if (lo < hi) {
          const t = lo + rng.int(hi - lo);
          lo = t; // the scan below accumulates bins 1..t and evaluates only t
        }
      }
      // Missing-only split: missing rows left, all values right.
      if (hm > 0 && cm >= minC && C - cm >= minC && hm >= minH && H - hm >= minH && !p.randomThresholds) {
        const gain = (gm * gm) / (hm + lambda) + ((G - gm) * (G - gm)) / (H - hm + lambda) - parent;
        if (gain > best) {
          best = gain;
          this.setSplit(leaf, gain, f, 0, true, gm, hm, cm);
        }
      }
      let gl = 0;
      let hl = 0;
      const scanTo = p.randomThresholds ? lo : nb - 2; // thresholds t: left = value bins 1..t
      for (let b = 1; b <= scanTo; b++) {
        const q = o + b * 2;
        gl += hist[q];
        hl += hist[q + 1];
        if (p.randomThresholds && b < lo) continue;
        if (hist[q + 1] === 0 && !p.randomThresholds) continue; // empty bin: same split as the previous threshold
        const cl = hl * cPerH;
        // Missing rows right.
        if (cl >= minC && C - cl >= minC && hl >= minH && H - hl >= minH) {
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (H - hl + lambda) - parent;
          if (gain > best) {
            best = gain;
            this.setSplit(leaf, gain, f, b, false, gl, hl, cl);
          }
        }
        // Missing rows left.
        if (hm > 0) {
          const lg = gl + gm;
          const lh = hl + hm;
          const lc = cl + cm;
          if (lc >= minC && C - lc >= minC && lh >= minH && H - lh >= minH) {
            const gr = G - lg;
            const gain = (lg * lg) / (lh + lambda) + (gr * gr) / (H - lh + lambda) - parent;
            if (gain > best) {
              best = gain;
              this.setSplit(leaf, gain, f, b, true, lg, lh, lc);
            }
          }
        }
      }
    }
  }

  private setSplit(leaf: Leaf, gain: number, f: number, t: number, ml: boolean, lg: number, lh: number, lc: number): void {
    leaf.gain = gain;
    leaf.feature = f;
    leaf.threshold = t;
    leaf.missingLeft = ml;
    leaf.lg = lg;
    leaf.lh = lh;
    leaf.lc = lc;
  }

  /** Adds each leaf's value (scaled) to score[r] for every sample row r of the last tree built. */
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
  build(grad: Float64Array, hess: Float64Array, rows: Uint32Array, nRows: number, feats: Int32Array, rng: Rng): Tree {
    const p = this.p;
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
    const root: Leaf = {
      start: 0, end: nRows, depth: 0, hist: this.take(), g: g0, h: h0, c: nRows, parentNode: -1, isLeft: true,
      gain: 0, feature: -1, threshold: 0, missingLeft: false, lg: 0, lh: 0, lc: 0,
    };
    this.buildHist(root.hist!, 0, nRows, grad, hess, feats);
    this.findSplit(root, feats, rng);
    const candidates: Leaf[] = [];
    const done: Leaf[] = [];
    const settle = (l: Leaf) => {
      if (l.gain > 0) candidates.push(l);
      else {
        this.give(l.hist);
        l.hist = null;
        done.push(l);
      }
    };
    settle(root);
    const nf: number[] = [];
    const nt: number[] = [];
    const nm: number[] = [];
    const nl: number[] = [];
    const nr: number[] = [];
    let nLeaves = 1;
    const bins = this.data.bins;
    const F = this.data.nFeatures;
    while (nLeaves < this.maxLeaves && candidates.length > 0) {
      let pick = candidates.length - 1;
      if (!p.depthFirst) {
        for (let k = 0; k < candidates.length; k++) if (candidates[k].gain > candidates[pick].gain) pick = k;
      }
      const L = candidates[pick];
      candidates[pick] = candidates[candidates.length - 1];
      candidates.pop();
      const node = nf.length;
      nf.push(L.feature);
      nt.push(L.threshold);
      nm.push(L.missingLeft ? 1 : 0);
      nl.push(0);
      nr.push(0);
      if (L.parentNode >= 0) (L.isLeft ? nl : nr)[L.parentNode] = node;
      // Partition rows: left ones first.
      const f = L.feature;
      const t = L.threshold;
      const ml = L.missingLeft;
      let i = L.start;
      let j = L.end - 1;
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
      const mid = i;
      const left: Leaf = {
        start: L.start, end: mid, depth: L.depth + 1, hist: null, g: L.lg, h: L.lh, c: mid - L.start, parentNode: node, isLeft: true,
        gain: 0, feature: -1, threshold: 0, missingLeft: false, lg: 0, lh: 0, lc: 0,
      };
      const right: Leaf = {
        start: mid, end: L.end, depth: L.depth + 1, hist: null, g: L.g - L.lg, h: L.h - L.lh, c: L.end - mid, parentNode: node, isLeft: false,
        gain: 0, feature: -1, threshold: 0, missingLeft: false, lg: 0, lh: 0, lc: 0,
      };
      const canSplit = (l: Leaf) => !(p.maxDepth > 0 && l.depth >= p.maxDepth) && l.c >= 2 * Math.max(1, p.minChildSamples);
      const needL = canSplit(left);
      const needR = canSplit(right);
      if (needL || needR) {
        // Histogram subtraction: build the smaller child, derive the larger from the parent.
        const [small, large] = left.c <= right.c ? [left, right] : [right, left];
        small.hist = this.take();
        this.buildHist(small.hist, small.start, small.end, grad, hess, feats);
        const ph = L.hist!;
        const sh = small.hist;
        const off = this.offsets;
        for (let k = 0; k < feats.length; k++) {
          const ff = feats[k];
          for (let q = off[ff] * 2, e = off[ff + 1] * 2; q < e; q++) ph[q] -= sh[q];
        }
        large.hist = ph;
        L.hist = null;
        if (needL) this.findSplit(left, feats, rng);
        if (needR) this.findSplit(right, feats, rng);
      } else {
        this.give(L.hist);
        L.hist = null;
      }
      settle(left);
      settle(right);
      nLeaves++;
    }
    for (const l of candidates) {
      this.give(l.hist);
      l.hist = null;
      done.push(l);
    }
    const value = new Float64Array(done.length);
    // Order leaves by position so a tree's layout does not depend on growth order details.
    done.sort((a, b) => a.start - b.start);
    this.leafStart = done.map((l) => l.start);
    this.leafEnd = done.map((l) => l.end);
    done.forEach((l, k) => {
      value[k] = -l.g / (l.h + p.lambda);
      if (l.parentNode >= 0) (l.isLeft ? nl : nr)[l.parentNode] = ~k;
    });
    return {
      feature: Int32Array.from(nf),
      threshold: Uint8Array.from(nt),
      missingLeft: Uint8Array.from(nm),
      left: Int32Array.from(nl),
      right: Int32Array.from(nr),
      value,
    };
  }
}

/**
 * Many trees flattened into one packed Int32Array for fast scoring. Slot s holds 2 ints at o = 2s:
 * [feature << 9 | lo << 8 | threshold, 2 * first child slot] for a split. The two children of a split sit in
 * consecutive slots, so a step is one add. A row goes left when lo <= bin <= threshold (lo = 0 sends the
 * missing bin 0 left, lo = 1 sends it right). A leaf is [255, o]: every bin "goes left" to the leaf itself,
 * so a walk can take a fixed number of steps (the tree's depth) without testing for leaves, and several
 * walks run in lockstep (independent load chains, no mispredicted exits): four rows through one tree when
 * there are rows enough, else one row through four trees. Leaf values are kept per slot. Each row's leaf
 * values are still added in tree order (bit-exact).
 */
export class CompiledTrees {
  private readonly slots: Int32Array;
  private readonly leafValue: Float64Array;
  private readonly roots: Int32Array;
  private readonly depths: Int32Array;
  /** Per tree: depth of its shallowest leaf (every row takes at least that many steps). */
  private readonly minDepths: Int32Array;

  constructor(trees: Tree[]) {
    let nSlots = 0;
    for (const t of trees) nSlots += 2 * t.feature.length + 1;
    this.slots = new Int32Array(2 * nSlots);
    this.leafValue = new Float64Array(nSlots);
    this.roots = new Int32Array(trees.length);
    this.depths = new Int32Array(trees.length);
    this.minDepths = new Int32Array(trees.length);
    let next = 0;
    const S = this.slots;
    trees.forEach((t, k) => {
      // Breadth-first: place a node's children side by side.
      const root = next++;
      this.roots[k] = 2 * root;
      let depth = 0;
      let minDepth = -1;
      const queue: [number, number, number][] = [[t.feature.length === 0 ? ~0 : 0, root, 0]];
      for (let q = 0; q < queue.length; q++) {
        const [child, slot, d] = queue[q]!;
        const o = 2 * slot;
        if (child < 0) {
          S[o] = 255;
          S[o + 1] = o;
          this.leafValue[slot] = t.value[~child]!;
          if (d > depth) depth = d;
          if (minDepth < 0 || d < minDepth) minDepth = d;
          continue;
        }
        const first = next;
        next += 2;
        S[o] = (t.feature[child]! << 9) | ((t.missingLeft[child] ? 0 : 1) << 8) | t.threshold[child]!;
        S[o + 1] = 2 * first;
        queue.push([t.left[child]!, first, d + 1], [t.right[child]!, first + 1, d + 1]);
      }
      this.depths[k] = depth;
      this.minDepths[k] = minDepth;
    });
  }

  /** Adds, tree by tree in order, each tree's leaf value to out[i] for row idx[i]. */
  accumulate(bins: Uint8Array, nFeatures: number, idx: ArrayLike<number>, out: Float64Array): void {
    const { slots: S, leafValue: V, roots, depths, minDepths } = this;
    const F = nFeatures;
    const grouped = idx.length - (idx.length % 4);
    // A step from slot s: b = the row's bin of the split feature; go right (next slot, +2) when b > threshold
    // or b < lo, i.e. when ((threshold - b) | (b - lo)) is negative.
    //
    // Rows in groups of four, tree by tree: one tree's slots stay in the L1 cache while every row walks it.
    for (let k = 0; k < roots.length; k++) {
      const root = roots[k];
      const D = depths[k];
      const minD = minDepths[k];
      for (let i = 0; i < grouped; i += 4) {
        const b0 = idx[i] * F;
        const b1 = idx[i + 1] * F;
        const b2 = idx[i + 2] * F;
        const b3 = idx[i + 3] * F;
        let s0 = root;
        let s1 = root;
        let s2 = root;
        let s3 = root;
        // No row reaches a leaf before minD steps; after that, stop once all four are at leaves.
        for (let step = 0; step < minD; step++) {
          const w0 = S[s0];
          const w1 = S[s1];
          const w2 = S[s2];
          const w3 = S[s3];
          const c0 = bins[b0 + (w0 >>> 9)];
          const c1 = bins[b1 + (w1 >>> 9)];
          const c2 = bins[b2 + (w2 >>> 9)];
          const c3 = bins[b3 + (w3 >>> 9)];
          s0 = S[s0 + 1] + (((((w0 & 255) - c0) | (c0 - ((w0 >> 8) & 1))) >>> 31) << 1);
          s1 = S[s1 + 1] + (((((w1 & 255) - c1) | (c1 - ((w1 >> 8) & 1))) >>> 31) << 1);
          s2 = S[s2 + 1] + (((((w2 & 255) - c2) | (c2 - ((w2 >> 8) & 1))) >>> 31) << 1);
          s3 = S[s3 + 1] + (((((w3 & 255) - c3) | (c3 - ((w3 >> 8) & 1))) >>> 31) << 1);
        }
        for (let step = minD; step < D; step++) {
          const w0 = S[s0];
          const w1 = S[s1];
          const w2 = S[s2];
          const w3 = S[s3];
          const c0 = bins[b0 + (w0 >>> 9)];
          const c1 = bins[b1 + (w1 >>> 9)];
          const c2 = bins[b2 + (w2 >>> 9)];
          const c3 = bins[b3 + (w3 >>> 9)];
          const n0 = S[s0 + 1] + (((((w0 & 255) - c0) | (c0 - ((w0 >> 8) & 1))) >>> 31) << 1);
          const n1 = S[s1 + 1] + (((((w1 & 255) - c1) | (c1 - ((w1 >> 8) & 1))) >>> 31) << 1);
          const n2 = S[s2 + 1] + (((((w2 & 255) - c2) | (c2 - ((w2 >> 8) & 1))) >>> 31) << 1);
          const n3 = S[s3 + 1] + (((((w3 & 255) - c3) | (c3 - ((w3 >> 8) & 1))) >>> 31) << 1);
          // All four rows at their leaves (a leaf steps to itself): stop before the tree's full depth.
          if (((n0 ^ s0) | (n1 ^ s1) | (n2 ^ s2) | (n3 ^ s3)) === 0) break;
          s0 = n0;
          s1 = n1;
          s2 = n2;
          s3 = n3;
        }
        out[i] += V[s0 >> 1];
        out[i + 1] += V[s1 >> 1];
        out[i + 2] += V[s2 >> 1];
        out[i + 3] += V[s3 >> 1];
      }
    }
    // The last (or only) 1-3 rows: one row through four trees at a time.
    const T = roots.length;
    for (let i = grouped; i < idx.length; i++) {
      const base = idx[i] * F;
      let acc = out[i];
      let k = 0;
      for (; k + 4 <= T; k += 4) {
        let s0 = roots[k];
        let s1 = roots[k + 1];
        let s2 = roots[k + 2];
        let s3 = roots[k + 3];
        const minD = Math.min(minDepths[k], minDepths[k + 1], minDepths[k + 2], minDepths[k + 3]);
        const D = Math.max(depths[k], depths[k + 1], depths[k + 2], depths[k + 3]);
        for (let step = 0; step < minD; step++) {
          const w0 = S[s0];
          const w1 = S[s1];
          const w2 = S[s2];
          const w3 = S[s3];
          const c0 = bins[base + (w0 >>> 9)];
          const c1 = bins[base + (w1 >>> 9)];
          const c2 = bins[base + (w2 >>> 9)];
          const c3 = bins[base + (w3 >>> 9)];
          s0 = S[s0 + 1] + (((((w0 & 255) - c0) | (c0 - ((w0 >> 8) & 1))) >>> 31) << 1);
          s1 = S[s1 + 1] + (((((w1 & 255) - c1) | (c1 - ((w1 >> 8) & 1))) >>> 31) << 1);
          s2 = S[s2 + 1] + (((((w2 & 255) - c2) | (c2 - ((w2 >> 8) & 1))) >>> 31) << 1);
          s3 = S[s3 + 1] + (((((w3 & 255) - c3) | (c3 - ((w3 >> 8) & 1))) >>> 31) << 1);
        }
        for (let step = minD; step < D; step++) {
          const w0 = S[s0];
          const w1 = S[s1];
          const w2 = S[s2];
          const w3 = S[s3];
          const c0 = bins[base + (w0 >>> 9)];
          const c1 = bins[base + (w1 >>> 9)];
          const c2 = bins[base + (w2 >>> 9)];
          const c3 = bins[base + (w3 >>> 9)];
          const n0 = S[s0 + 1] + (((((w0 & 255) - c0) | (c0 - ((w0 >> 8) & 1))) >>> 31) << 1);
          const n1 = S[s1 + 1] + (((((w1 & 255) - c1) | (c1 - ((w1 >> 8) & 1))) >>> 31) << 1);
          const n2 = S[s2 + 1] + (((((w2 & 255) - c2) | (c2 - ((w2 >> 8) & 1))) >>> 31) << 1);
          const n3 = S[s3 + 1] + (((((w3 & 255) - c3) | (c3 - ((w3 >> 8) & 1))) >>> 31) << 1);
          if (((n0 ^ s0) | (n1 ^ s1) | (n2 ^ s2) | (n3 ^ s3)) === 0) break;
          s0 = n0;
          s1 = n1;
          s2 = n2;
          s3 = n3;
        }
        // In tree order, as the grouped rows add them.
        acc += V[s0 >> 1];
        acc += V[s1 >> 1];
        acc += V[s2 >> 1];
        acc += V[s3 >> 1];
      }
      for (; k < T; k++) {
        let s = roots[k];
        for (let step = 0, D = depths[k]; step < D; step++) {
          const w = S[s];
          const c = bins[base + (w >>> 9)];
          const next = S[s + 1] + (((((w & 255) - c) | (c - ((w >> 8) & 1))) >>> 31) << 1);
          if (next === s) break; // at its leaf
          s = next;
        }
        acc += V[s >> 1];
      }
      out[i] = acc;
    }
  }
}

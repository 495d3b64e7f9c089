// Packed inference: many fitted trees in one Int32Array, walked in lockstep, bit-exact with the plain walk.
import type { Tree } from './predictor';

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
export class PackedTrees {
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

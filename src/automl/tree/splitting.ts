// Split finding: the best (feature, threshold bin, missing-value direction) of a node, read from its histogram.
import type { Rng } from '../rng';
import type { HistogramLayout } from './histogram';

export interface SplitParams {
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
}

/** A node's best split: rows go left when (bin === 0 ? missingLeft : bin <= threshold bin `bin`). */
export interface SplitInfo {
  gain: number;
  feature: number;
  /** Value bins 1..bin go left; 0 = a missing-only split (missing rows left, every value right). */
  bin: number;
  missingLeft: boolean;
  leftGradientSum: number;
  leftHessianSum: number;
  /** Rows of the left child, estimated from hessians (see HistogramLayout). */
  leftCount: number;
}

/** Finds nodes' best splits over one histogram layout; per-node feature sampling draws from the caller's rng. */
export class SplitFinder {
  private readonly featScratch: Int32Array;

  constructor(
    private readonly layout: HistogramLayout,
    private readonly p: SplitParams,
  ) {
    this.featScratch = new Int32Array(layout.nBins.length);
  }

  /**
   * The best split of a node whose rows sum to (gradientSum, hessianSum, count) and whose histogram is `hist`,
   * over features `feats`; undefined when no split gains more than minSplitGain (or 1e-12) within the
   * minimum child limits. Gains are LightGBM's: G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ).
   */
  find(
    hist: Float64Array,
    gradientSum: number,
    hessianSum: number,
    count: number,
    feats: Int32Array,
    rng: Rng,
  ): SplitInfo | undefined {
    const p = this.p;
    const lambda = p.lambda;
    // Short names in the scan: G, H, C = the node's gradient sum, hessian sum and row count; g*, h*, c* the
    // same for its missing rows (m) or left child (l); o = the feature's first histogram slot.
    const G = gradientSum;
    const H = hessianSum;
    const C = count;
    const parent = (G * G) / (H + lambda);
    const cPerH = C / H; // estimated rows per unit of hessian
    const minC = Math.max(1, p.minChildSamples);
    const minH = p.minChildWeight;
    const best: SplitInfo = {
      gain: p.minSplitGain > 0 ? p.minSplitGain : 1e-12,
      feature: -1,
      bin: 0,
      missingLeft: false,
      leftGradientSum: 0,
      leftHessianSum: 0,
      leftCount: 0,
    };
    let cand = feats;
    let nCand = feats.length;
    if (p.nodeFeatureFraction < 1) {
      nCand = this.sampleFeatures(feats, rng);
      cand = this.featScratch;
    }
    const off = this.layout.offsets;
    const nBins = this.layout.nBins;
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
        if (gain > best.gain) record(best, gain, f, 0, true, gm, hm, cm);
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
          if (gain > best.gain) record(best, gain, f, b, false, gl, hl, cl);
        }
        // Missing rows left.
        if (hm > 0) {
          const lg = gl + gm;
          const lh = hl + hm;
          const lc = cl + cm;
          if (lc >= minC && C - lc >= minC && lh >= minH && H - lh >= minH) {
            const gr = G - lg;
            const gain = (lg * lg) / (lh + lambda) + (gr * gr) / (H - lh + lambda) - parent;
            if (gain > best.gain) record(best, gain, f, b, true, lg, lh, lc);
          }
        }
      }
    }
    return best.feature >= 0 ? best : undefined;
  }

  /**
   * Random forest's max_features: draws a random nodeFeatureFraction of `feats` into the first places of
   * featScratch (partial Fisher-Yates) and returns how many.
   */
  private sampleFeatures(feats: Int32Array, rng: Rng): number {
    const s = this.featScratch;
    const n = feats.length;
    for (let k = 0; k < n; k++) s[k] = feats[k];
    const want = Math.max(1, Math.round(this.p.nodeFeatureFraction * n));
    for (let k = 0; k < want; k++) {
      const j = k + rng.int(n - k);
      const t = s[k];
      s[k] = s[j];
      s[j] = t;
    }
    return want;
  }
}

function record(
  s: SplitInfo,
  gain: number,
  f: number,
  bin: number,
  ml: boolean,
  gl: number,
  hl: number,
  cl: number,
): void {
  s.gain = gain;
  s.feature = f;
  s.bin = bin;
  s.missingLeft = ml;
  s.leftGradientSum = gl;
  s.leftHessianSum = hl;
  s.leftCount = cl;
}

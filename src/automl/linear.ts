// L2-regularised logistic regression on standardised numeric features and one-hot categories,
// fitted by Newton's method.
import type { FeatureSpec } from './featurizer';

/** Categorical columns with more categories than this enter as their (target-ordered) code instead of one-hot. */
const MAX_ONE_HOT = 30;

export interface LinearParams {
  /** Inverse regularisation strength (scikit-learn's C). */
  C: number;
}

/** How each feature becomes design-matrix columns; fitted on training rows. */
interface Encoding {
  /** Per feature: 'oh' = one-hot with `k` columns, 'num' = standardised value (+ missing indicator). */
  kind: ('oh' | 'num')[];
  k: number[];
  mean: number[];
  std: number[];
  indicator: boolean[];
  width: number;
}

export interface LinearJSON {
  enc: Encoding;
  w: number[];
}

function fitEncoding(X: Float64Array, F: number, idx: ArrayLike<number>, features: FeatureSpec[]): Encoding {
  const enc: Encoding = { kind: [], k: [], mean: [], std: [], indicator: [], width: 0 };
  for (let f = 0; f < F; f++) {
    const spec = features[f];
    const k = spec.categories?.length ?? 0;
    if (spec.type === 'categorical' && k <= MAX_ONE_HOT) {
      enc.kind.push('oh');
      enc.k.push(k);
      enc.mean.push(0);
      enc.std.push(1);
      enc.indicator.push(false);
      enc.width += k;
      continue;
    }
    let s = 0;
    let s2 = 0;
    let m = 0;
    let miss = 0;
    for (let i = 0; i < idx.length; i++) {
      const x = X[idx[i] * F + f];
      if (Number.isNaN(x)) miss++;
      else {
        s += x;
        s2 += x * x;
        m++;
      }
    }
    const mean = m ? s / m : 0;
    const sd = m ? Math.sqrt(Math.max(s2 / m - mean * mean, 0)) : 0;
    enc.kind.push('num');
    enc.k.push(0);
    enc.mean.push(mean);
    enc.std.push(sd > 1e-12 ? sd : 1);
    enc.indicator.push(miss > 0);
    enc.width += miss > 0 ? 2 : 1;
  }
  return enc;
}

/** Writes row r's design columns (without intercept) into out[0..width). */
function encodeRow(enc: Encoding, X: Float64Array, F: number, r: number, out: Float64Array): void {
  let c = 0;
  const base = r * F;
  for (let f = 0; f < F; f++) {
    const x = X[base + f];
    if (enc.kind[f] === 'oh') {
      const k = enc.k[f];
      for (let j = 0; j < k; j++) out[c + j] = 0;
      if (!Number.isNaN(x) && x >= 0 && x < k) out[c + x] = 1;
      c += k;
    } else {
      const missing = Number.isNaN(x);
      // Clip standardised values so one extreme scoring input cannot dominate the logit.
      let z = missing ? 0 : (x - enc.mean[f]) / enc.std[f];
      z = z > 10 ? 10 : z < -10 ? -10 : z;
      out[c++] = z;
      if (enc.indicator[f]) out[c++] = missing ? 1 : 0;
    }
  }
}

export class LinearModel {
  constructor(
    readonly enc: Encoding,
    /** Weights; the last is the intercept. */
    readonly w: Float64Array,
  ) {}

  predict(X: Float64Array, F: number, idx: ArrayLike<number>): Float64Array {
    const d = this.enc.width;
    const row = new Float64Array(d);
    const out = new Float64Array(idx.length);
    const w = this.w;
    for (let i = 0; i < idx.length; i++) {
      encodeRow(this.enc, X, F, idx[i], row);
      let s = w[d];
      for (let j = 0; j < d; j++) s += w[j] * row[j];
      out[i] = 1 / (1 + Math.exp(-s));
    }
    return out;
  }
  toJSON(): LinearJSON {
    return { enc: this.enc, w: Array.from(this.w) };
  }
  static fromJSON(j: LinearJSON): LinearModel {
    return new LinearModel(j.enc, Float64Array.from(j.w));
  }
}

/** Solves A x = b for symmetric positive definite A (Cholesky, in place on a copy). */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = A.slice();
  for (let j = 0; j < n; j++) {
    let s = L[j * n + j];
    for (let k = 0; k < j; k++) s -= L[j * n + k] * L[j * n + k];
    const d = Math.sqrt(Math.max(s, 1e-12));
    L[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = L[i * n + j];
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / d;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

export function fitLinear(
  data: { X: Float64Array; nFeatures: number; y: Uint8Array },
  trainIdx: Uint32Array,
  features: FeatureSpec[],
  p: LinearParams,
): LinearModel {
  const F = data.nFeatures;
  const enc = fitEncoding(data.X, F, trainIdx, features);
  const d = enc.width + 1;
  if (d > 400) {
    // Newton's method costs rows x columns^2 per step: too slow here; the tree learners handle wide data.
    throw new Error(
      `LogisticRegression skipped: ${enc.width} encoded columns is too many for Newton's method (limit 400).`,
    );
  }
  const n = trainIdx.length;
  // Materialise the design matrix once: n x d doubles (small: d stays under a few hundred).
  const Z = new Float64Array(n * d);
  const row = new Float64Array(enc.width);
  for (let i = 0; i < n; i++) {
    encodeRow(enc, data.X, F, trainIdx[i], row);
    Z.set(row, i * d);
    Z[i * d + d - 1] = 1;
  }
  // Penalty scaled like scikit-learn: C multiplies the summed loss.
  const lambda = 1 / p.C;
  const w = new Float64Array(d);
  const Hm = new Float64Array(d * d);
  const g = new Float64Array(d);
  for (let iter = 0; iter < 30; iter++) {
    Hm.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const zi = i * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += w[j] * Z[zi + j];
      const pr = 1 / (1 + Math.exp(-s));
      const r = pr - data.y[trainIdx[i]];
      const h = Math.max(pr * (1 - pr), 1e-10);
      for (let j = 0; j < d; j++) {
        const zj = Z[zi + j];
        if (zj === 0) continue;
        g[j] += r * zj;
        const hz = h * zj;
        for (let k = 0; k <= j; k++) Hm[j * d + k] += hz * Z[zi + k];
      }
    }
    for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) Hm[k * d + j] = Hm[j * d + k];
    for (let j = 0; j < d - 1; j++) {
      g[j] += lambda * w[j];
      Hm[j * d + j] += lambda;
    }
    Hm[(d - 1) * d + (d - 1)] += 1e-8;
    const step = choleskySolve(Hm, g, d);
    let maxStep = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      maxStep = Math.max(maxStep, Math.abs(step[j]));
    }
    if (maxStep < 1e-7) break;
  }
  return new LinearModel(enc, w);
}

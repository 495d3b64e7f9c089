// Maps each feature's values to at most 255 histogram bins (bin 0 = missing),
// fitted once and shared by all tree learners.

export const MAX_VALUE_BINS = 255;

/**
 * Per feature, ascending bin upper bounds: value x lands in the first value bin b (1-based) with
 * x <= uppers[b-1], or in the last bin when it exceeds them all. Plain data (stored in artifacts),
 * so training and scoring bin every value identically.
 */
export interface BinMapperSpec {
  uppers: number[][];
}

/** Number of bins of each feature, including the missing bin 0. */
export function binCounts(spec: BinMapperSpec): Int32Array {
  return Int32Array.from(spec.uppers.map((u) => u.length + 2));
}

/** Fits bin bounds from a row-major matrix, using at most `sampleRows` rows (chosen by stride). */
export function fitBins(X: Float64Array, nRows: number, nFeatures: number, sampleRows = 200_000): BinMapperSpec {
  const stride = Math.max(1, Math.floor(nRows / sampleRows));
  const uppers: number[][] = [];
  const vals = new Float64Array(Math.ceil(nRows / stride));
  for (let f = 0; f < nFeatures; f++) {
    let m = 0;
    for (let i = 0; i < nRows; i += stride) {
      const x = X[i * nFeatures + f];
      if (!Number.isNaN(x)) vals[m++] = x;
    }
    const sorted = vals.subarray(0, m).slice().sort();
    // Distinct values and their counts.
    const distinct: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < m; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) {
        distinct.push(sorted[i]);
        counts.push(1);
      } else counts[counts.length - 1]++;
    }
    const u: number[] = [];
    if (distinct.length <= MAX_VALUE_BINS) {
      for (let i = 0; i + 1 < distinct.length; i++) u.push((distinct[i] + distinct[i + 1]) / 2);
    } else {
      // Equal-frequency bins; a cut always falls between two distinct values.
      const per = m / MAX_VALUE_BINS;
      let cum = 0;
      let nextCut = per;
      for (let i = 0; i + 1 < distinct.length && u.length < MAX_VALUE_BINS - 1; i++) {
        cum += counts[i];
        if (cum >= nextCut) {
          u.push((distinct[i] + distinct[i + 1]) / 2);
          while (nextCut <= cum) nextCut += per;
        }
      }
    }
    uppers.push(u);
  }
  return { uppers };
}

/** Bin of one value of a feature (binary search over its upper bounds). */
export function binOf(uppers: ArrayLike<number>, x: number): number {
  if (Number.isNaN(x)) return 0;
  let lo = 0;
  let hi = uppers.length; // answer in [0, len]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= uppers[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/** A spec's bounds as typed arrays, built once (a loaded model bins every request with them). */
export function compileBins(spec: BinMapperSpec): Float64Array[] {
  return spec.uppers.map((u) => Float64Array.from(u));
}

/** Bins a row-major matrix into a row-major Uint8Array of the same shape. */
export function applyBins(spec: BinMapperSpec, X: Float64Array, nRows: number, compiled?: Float64Array[]): Uint8Array {
  const F = spec.uppers.length;
  const out = new Uint8Array(nRows * F);
  const ups = compiled ?? compileBins(spec);
  for (let i = 0; i < nRows; i++) {
    const base = i * F;
    for (let f = 0; f < F; f++) out[base + f] = binOf(ups[f], X[base + f]);
  }
  return out;
}

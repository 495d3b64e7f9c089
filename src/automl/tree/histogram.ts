// Gradient/hessian histograms of a node's rows over the binned features: their layout, building, subtraction and reuse.

/** Feature bins of the rows a learner sees: row-major, one uint8 bin per (row, feature); bin 0 = missing. */
export interface BinnedData {
  bins: Uint8Array;
  nRows: number;
  nFeatures: number;
  /** Bins per feature including the missing bin. */
  nBins: Int32Array;
}

/**
 * Where each feature sits in a histogram: bin b of feature f holds (gradient sum, hessian sum) at
 * 2 * (offsets[f] + b) and 2 * (offsets[f] + b) + 1. Bin row counts are not stored: they are estimated
 * as hessian * (rows / hessian) of the node, as LightGBM does — exact for forests, whose hessians are all 1.
 */
export interface HistogramLayout {
  offsets: Int32Array;
  /** Bins per feature including the missing bin. */
  nBins: Int32Array;
  totalBins: number;
}

export function histogramLayout(nBins: Int32Array): HistogramLayout {
  const offsets = new Int32Array(nBins.length + 1);
  for (let f = 0; f < nBins.length; f++) offsets[f + 1] = offsets[f] + nBins[f];
  return { offsets, nBins, totalBins: offsets[nBins.length] };
}

/** Builds histograms over one binned dataset, reusing the buffers of histograms given back. */
export class HistogramBuilder {
  readonly layout: HistogramLayout;
  private readonly pool: Float64Array[] = [];

  constructor(private readonly data: BinnedData) {
    this.layout = histogramLayout(data.nBins);
  }

  take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.layout.totalBins * 2);
  }

  give(hist: Float64Array | null): void {
    if (hist) this.pool.push(hist);
  }

  /** Fills `hist` with the sums of rows idx[start..end) over features `feats` (other features' bins are zeroed). */
  build(
    hist: Float64Array,
    idx: Uint32Array,
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array,
    feats: Int32Array,
  ): void {
    hist.fill(0);
    const bins = this.data.bins;
    const F = this.data.nFeatures;
    const off = this.layout.offsets;
    const nf = feats.length;
    // All features (GBDT without column sampling, forests) skip the indirection through feats.
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

  /** LightGBM's subtraction trick: parent -= child over features `feats`, leaving the parent as the sibling's. */
  subtract(parent: Float64Array, child: Float64Array, feats: Int32Array): void {
    const off = this.layout.offsets;
    for (let k = 0; k < feats.length; k++) {
      const f = feats[k];
      for (let q = off[f] * 2, e = off[f + 1] * 2; q < e; q++) parent[q] -= child[q];
    }
  }
}

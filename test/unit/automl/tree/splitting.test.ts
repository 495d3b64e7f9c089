// The split finder alone, on hand-made histograms: the best threshold, missing values left or right, the child limits.
import { Rng } from '../../../../src/automl/rng';
import { histogramLayout } from '../../../../src/automl/tree/histogram';
import { SplitFinder, type SplitParams } from '../../../../src/automl/tree/splitting';

const params: SplitParams = {
  minChildSamples: 1,
  minChildWeight: 0,
  lambda: 0,
  minSplitGain: 0,
  nodeFeatureFraction: 1,
  randomThresholds: false,
};

/** A histogram of features given as [gradient sum, hessian sum] per bin, bin 0 (missing) first. */
function histogramOf(features: [number, number][][]) {
  const layout = histogramLayout(Int32Array.from(features, (bins) => bins.length));
  const hist = new Float64Array(layout.totalBins * 2);
  features.forEach((bins, f) => bins.forEach(([g, h], b) => hist.set([g, h], 2 * (layout.offsets[f] + b))));
  const [G, H] = features[0].reduce(([g, h], [bg, bh]) => [g + bg, h + bh], [0, 0]);
  return { layout, hist, G, H, feats: Int32Array.from(features, (_, f) => f) };
}

/** The best split with hessian 1 per row (so counts are exact), under `over` parameters. */
function bestSplit(features: [number, number][][], over: Partial<SplitParams> = {}, seed = 1) {
  const { layout, hist, G, H, feats } = histogramOf(features);
  return new SplitFinder(layout, { ...params, ...over }).find(hist, G, H, H, feats, new Rng(seed));
}

// Gain with lambda 0: GL²/HL + GR²/HR - G²/H.
const gain = (gl: number, hl: number, gr: number, hr: number) =>
  (gl * gl) / hl + (gr * gr) / hr - ((gl + gr) * (gl + gr)) / (hl + hr);

describe('split finder', () => {
  it('finds the known best threshold of a small histogram, with its left sums and gain', () => {
    // Rows in bins 1-2 have negative gradients, bins 3-4 positive: the split is after bin 2.
    const split = bestSplit([
      [
        [0, 0],
        [-3, 3],
        [-2, 2],
        [4, 4],
        [1, 1],
      ],
    ]);
    expect(split).toEqual({
      gain: gain(-5, 5, 5, 5),
      feature: 0,
      bin: 2,
      missingLeft: false,
      leftGradientSum: -5,
      leftHessianSum: 5,
      leftCount: 5,
    });
  });

  it('finds the threshold that separates the gradients in every position', () => {
    for (let cut = 1; cut <= 6; cut++) {
      const bins: [number, number][] = [[0, 0]];
      for (let b = 1; b <= 7; b++) bins.push(b <= cut ? [-2, 2] : [3, 2]);
      expect(bestSplit([bins])?.bin).toBe(cut);
    }
  });

  it('picks the feature whose split gains most', () => {
    // The same 8 rows seen through two features.
    const weak: [number, number][] = [
      [0, 0],
      [-2, 4],
      [2, 4],
    ];
    const strong: [number, number][] = [
      [0, 0],
      [-4, 2],
      [-4, 2],
      [8, 4],
    ];
    const split = bestSplit([weak, strong]);
    expect(split).toMatchObject({ feature: 1, bin: 2, gain: gain(-8, 4, 8, 4) });
  });

  it('sends missing rows left when they look like the low bins', () => {
    const split = bestSplit([
      [
        [-2, 2],
        [-3, 3],
        [-2, 2],
        [4, 4],
        [1, 1],
      ],
    ]);
    expect(split).toMatchObject({ bin: 2, missingLeft: true, leftGradientSum: -7, leftHessianSum: 7 });
    expect(split?.gain).toBe(gain(-7, 7, 5, 5));
  });

  it('sends missing rows right when they look like the high bins', () => {
    const split = bestSplit([
      [
        [2, 2],
        [-3, 3],
        [-2, 2],
        [4, 4],
        [1, 1],
      ],
    ]);
    expect(split).toMatchObject({ bin: 2, missingLeft: false, leftGradientSum: -5, leftHessianSum: 5 });
    expect(split?.gain).toBe(gain(-5, 5, 7, 7));
  });

  it('splits missing rows from all values when they differ from every value bin', () => {
    const split = bestSplit([
      [
        [-6, 3],
        [1, 2],
        [1, 2],
        [1, 2],
      ],
    ]);
    expect(split).toMatchObject({ bin: 0, missingLeft: true, leftGradientSum: -6, leftHessianSum: 3 });
  });

  it('keeps missing rows right when a feature has none', () => {
    const split = bestSplit([
      [
        [0, 0],
        [3, 3],
        [2, 2],
        [-4, 4],
        [-1, 1],
      ],
    ]);
    expect(split).toMatchObject({ bin: 2, missingLeft: false });
  });

  it('respects the minimum child samples: the best split that leaves both children big enough', () => {
    // Unlimited, bin 1 (one row, gradient -10) alone is the best split.
    const bins: [number, number][] = [
      [0, 0],
      [-10, 1],
      [-1, 3],
      [-1, 3],
      [2, 3],
      [2, 3],
    ];
    expect(bestSplit([bins])?.bin).toBe(1);
    const split = bestSplit([bins], { minChildSamples: 4 });
    expect(split?.bin).toBe(2);
    expect(split!.leftCount).toBeGreaterThanOrEqual(4);
    expect(13 - split!.leftCount).toBeGreaterThanOrEqual(4);
    // No threshold leaves 7 rows on both sides of 13.
    expect(bestSplit([bins], { minChildSamples: 7 })).toBeUndefined();
  });

  it('respects the minimum child hessian sum, whatever the row counts', () => {
    // 20 rows of hessian sum 10: bin 1 holds an estimated 2 rows but a hessian sum of 1.
    const { layout, hist, G, H, feats } = histogramOf([
      [
        [0, 0],
        [-4, 1],
        [-1, 3],
        [2, 3],
        [2, 3],
      ],
    ]);
    const find = (minChildWeight: number) => {
      const finder = new SplitFinder(layout, { ...params, minChildSamples: 2, minChildWeight });
      return finder.find(hist, G, H, 20, feats, new Rng(1));
    };
    expect(find(0)).toMatchObject({ bin: 1, leftHessianSum: 1, leftCount: 2 });
    expect(find(2)).toMatchObject({ bin: 2, leftHessianSum: 4 });
    // Each threshold leaves a hessian sum under 5 on one side.
    expect(find(5)).toBeUndefined();
  });

  it('does not split a node with nothing to gain, or less than minSplitGain', () => {
    expect(
      bestSplit([
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [1, 1],
        ],
      ]),
    ).toBeUndefined();
    const bins: [number, number][] = [
      [0, 0],
      [-1, 2],
      [1, 2],
    ];
    const g = gain(-1, 2, 1, 2);
    expect(bestSplit([bins], { minSplitGain: g * 0.99 })?.gain).toBe(g);
    expect(bestSplit([bins], { minSplitGain: g })).toBeUndefined();
  });

  it('with random thresholds, evaluates one threshold among the bins that have rows, seeded', () => {
    const bins: [number, number][] = [
      [-9, 3],
      [0, 0],
      [-1, 1],
      [-1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const seen = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const split = bestSplit([bins], { randomThresholds: true }, seed);
      expect(split).toEqual(bestSplit([bins], { randomThresholds: true }, seed));
      // Never the missing-only split: a threshold between the occupied bins 2..6.
      if (split) {
        expect(split.bin).toBeGreaterThanOrEqual(2);
        expect(split.bin).toBeLessThan(6);
        seen.add(split.bin);
      }
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});

// Stratified splits of labelled rows: every class shuffled by the caller's seeded generator, then cut in proportion.
import type { Rng } from './rng';

/** Row positions of each class (labels 0..nClasses-1), each list shuffled by `rng`. */
export function shuffledByClass(y: ArrayLike<number>, nClasses: number, rng: Rng): number[][] {
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]].push(i);
  byClass.forEach((c) => rng.shuffle(c));
  return byClass;
}

/** How many rows of a class of `size` rows a stratified hold-out of `share` takes. */
export const heldOutCount = (size: number, share: number): number => Math.round(size * share);

/** Holds out the first heldOutCount rows of every shuffled class; both parts sorted by row position. */
export function stratifiedHoldout(
  byClass: number[][],
  share: number,
): { trainIdx: Uint32Array; heldOutIdx: Uint32Array } {
  const heldOut: number[] = [];
  const train: number[] = [];
  for (const c of byClass) {
    const k = heldOutCount(c.length, share);
    heldOut.push(...c.slice(0, k));
    train.push(...c.slice(k));
  }
  return {
    trainIdx: Uint32Array.from(train.sort((a, b) => a - b)),
    heldOutIdx: Uint32Array.from(heldOut.sort((a, b) => a - b)),
  };
}

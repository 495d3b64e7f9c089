// A fitted tree as parallel node arrays: its JSON form, its mean leaf depth and the plain node-by-node walk.

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
      if (c < 0) {
        sum += depth + 1;
        leaves++;
      } else stack.push(c, depth + 1);
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

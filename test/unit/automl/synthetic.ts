// Synthetic datasets for the AutoML tests: small, seeded, with a known signal and a few awkward columns.
import { Rng } from '../../../src/automl/rng';
import type { RawRow } from '../../../src/automl';

export interface SyntheticOptions {
  rows: number;
  seed?: number;
  /** 'xor': label = sign(x1) xor sign(x2) (no linear model can separate it); 'linear': a noisy linear rule. */
  pattern?: 'xor' | 'linear';
}

/** Rows with: x1, x2 (signal), noise, color (categorical with "unknown"), member (yes/no), id, constant, label. */
export function syntheticRows(o: SyntheticOptions): RawRow[] {
  const rng = new Rng(o.seed ?? 1);
  const colors = ['red', 'green', 'blue', 'unknown'];
  const rows: RawRow[] = [];
  for (let i = 0; i < o.rows; i++) {
    const x1 = rng.next() * 2 - 1;
    const x2 = rng.next() * 2 - 1;
    const color = colors[rng.int(4)];
    let label: boolean;
    if ((o.pattern ?? 'xor') === 'xor') label = x1 > 0 !== x2 > 0;
    else label = x1 + 0.5 * x2 + (color === 'red' ? 0.5 : 0) + 0.3 * rng.normal() > 0;
    if (rng.next() < 0.03) label = !label; // label noise
    rows.push({
      x1: x1.toFixed(4),
      x2: rng.next() < 0.02 ? '' : x2.toFixed(4),
      noise: rng.normal().toFixed(3),
      color,
      member: rng.next() < 0.5 ? 'yes' : 'no',
      id: String(1000 + i),
      constant: 'same',
      label: label ? 'yes' : 'no',
    });
  }
  return rows;
}

export function toCsv(rows: RawRow[]): string {
  const cols = Object.keys(rows[0]);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c] ?? '')).join(','))].join('\n') + '\n';
}

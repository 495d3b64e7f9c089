// The datasets of the safe-rollout measurements (bench:rollout and its e2e tests), built from the demo CSV:
// a weak champion's data, a better model's data, an extra required column, harder (label-noise) data, client rows.
import { writeFileSync } from 'node:fs';
import { readDemoCsv, seeded, stratifiedSplit } from './helpers';

/** The demo data as cells, split once into disjoint pools so no variant trains on another's client rows. */
export interface DemoPools {
  columns: string[];
  /** Rows the datasets are drawn from. */
  training: string[][];
  /** Rows the client load sends (never trained on). */
  clients: string[][];
}

export function demoPools(seed = 11): DemoPools {
  const { header, rows } = readDemoCsv();
  const [clients, training] = stratifiedSplit(rows, 0.1, seed);
  const cells = (r: string) => r.split(',');
  return { columns: header.split(','), training: training.map(cells), clients: clients.map(cells) };
}

/**
 * A stratified sample of `n` rows of the pool (fixed seed), as cells; rows of `apart` are never picked, so a model
 * trained on those is judged on rows it has not seen.
 */
export function sample(pools: DemoPools, n: number, seed: number, apart: string[][] = []): string[][] {
  const taken = new Set(apart.map((r) => r.join(',')));
  const free = pools.training.map((r) => r.join(',')).filter((r) => !taken.has(r));
  const [picked] = stratifiedSplit(free, n / free.length, seed);
  return picked.map((r) => r.split(','));
}

/**
 * The champion's data: `duration` (the demo's strongest feature) shuffled across rows, so the column stays in the
 * schema (clients send it) but carries no information. A model trained on it is clearly weaker than one trained on
 * the same rows unshuffled (measured: about 0.79 vs 0.93 AUC_weighted).
 */
export function withoutDuration(pools: DemoPools, rows: string[][], seed: number): string[][] {
  const d = pools.columns.indexOf('duration');
  const random = seeded(seed);
  const values = rows.map((r) => r[d]);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return rows.map((r, i) => r.map((c, k) => (k === d ? values[i] : c)));
}

/**
 * An extra column a retrained model will need: `score_hint`, a noisy copy of `duration` (so the engine keeps and
 * uses it). Clients in the champion's schema never send it.
 */
export const EXTRA_COLUMN = 'score_hint';
export function withScoreHint(
  pools: DemoPools,
  rows: string[][],
  seed: number,
): { columns: string[]; rows: string[][] } {
  const d = pools.columns.indexOf('duration');
  const random = seeded(seed);
  const columns = [...pools.columns.slice(0, -1), EXTRA_COLUMN, pools.columns[pools.columns.length - 1]];
  const out = rows.map((r) => {
    const hint = Math.round(Number(r[d]) * (0.8 + 0.4 * random()));
    return [...r.slice(0, -1), String(hint), r[r.length - 1]];
  });
  return { columns, rows: out };
}

/** Harder data: each label flipped with probability `rate` (noise independent of the features). */
export function withLabelNoise(rows: string[][], rate: number, seed: number): string[][] {
  const random = seeded(seed);
  return rows.map((r) => {
    if (random() >= rate) return r;
    const flipped = r[r.length - 1] === 'yes' ? 'no' : 'yes';
    return [...r.slice(0, -1), flipped];
  });
}

export function writeCsv(file: string, columns: string[], rows: string[][]): string {
  writeFileSync(file, `${columns.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  return file;
}

/** Client request bodies: one row each, in the champion's schema (every column but the label), as the seed sends. */
export function clientBodies(pools: DemoPools, n = 200): string[] {
  const features = pools.columns.slice(0, -1);
  return pools.clients.slice(0, n).map((r) => {
    const row = Object.fromEntries(
      features.map((c, k) => [c, r[k] === '' || Number.isNaN(Number(r[k])) ? r[k] : Number(r[k])]),
    );
    return JSON.stringify({ data: [row] });
  });
}

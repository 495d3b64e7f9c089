// Trains a small real model on the bank-marketing data once per test file (a few seconds) for end-to-end serving tests.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, parseCsv, tableRows, train } from '../../../src/automl';
import type { LoadedModel, ModelArtifact, RawRow } from '../../../src/automl/types';

export const BANK_CSV = join(__dirname, '..', '..', '..', '..', 'data', 'bankmarketing_train.csv');

export interface BankFixture {
  artifact: ModelArtifact;
  model: LoadedModel;
  /** The artifact written as JSON, for the process entry. */
  modelPath: string;
  /** Rows from the end of the CSV (not used for training), including the target column y. */
  heldOut: RawRow[];
}

/** A GradientBoosting-class model from the first `trainRows` rows, within a few seconds. */
export function trainBankModel(trainRows = 4000, heldOutRows = 1000): BankFixture {
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  const header = lines[0] as string;
  const table = parseCsv([header, ...lines.slice(1, trainRows + 1)].join('\n'));
  const result = train(
    table,
    { target: 'y', timeoutSeconds: 4, maxTrials: 3, enableEnsemble: false, seed: 7 },
    { now: Date.now },
  );
  const heldOut = tableRows(parseCsv([header, ...lines.slice(-heldOutRows)].join('\n')));
  const dir = mkdtempSync(join(tmpdir(), 'amlops-bank-model-'));
  const modelPath = join(dir, 'model.json');
  writeFileSync(modelPath, JSON.stringify(result.artifact));
  return { artifact: result.artifact, model: loadModel(result.artifact), modelPath, heldOut };
}

/** A CSV row as a JSON client sends it: numeric columns as numbers. */
export function asJsonRow(model: LoadedModel, row: RawRow): RawRow {
  const out: RawRow = {};
  for (const [k, v] of Object.entries(row)) {
    const col = model.inputSchema.find((c) => c.name === k);
    out[k] = col?.type === 'numeric' && typeof v === 'string' && v !== '' ? Number(v) : v;
  }
  return out;
}

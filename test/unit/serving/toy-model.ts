// A hand-written LoadedModel for tests of server mechanics only (auth, shapes, errors);
// real-model tests use trained artifacts.
import type { ColumnSchema, LoadedModel, ModelArtifact, RawRow } from '../../../src/automl/types';

export const TOY_SCHEMA: ColumnSchema[] = [
  { name: 'age', type: 'numeric' },
  { name: 'job', type: 'categorical', categories: ['admin.', 'technician', 'services'] },
  { name: 'default', type: 'boolean', categories: ['no', 'yes'] },
];

export const TOY_ROWS: RawRow[] = [
  { age: 57, job: 'technician', default: 'no', y: 'no' },
  { age: 25, job: 'admin.', default: 'yes', y: 'yes' },
];

/** "yes" when age < 30; optional delay (busy wait) and label override to test timing and wrong-label servers. */
export function toyModel(opts: { delayMs?: number; label?: string } = {}): LoadedModel {
  const artifact: ModelArtifact = {
    format: 'amlops-model',
    formatVersion: 1,
    target: 'y',
    classes: ['no', 'yes'],
    inputSchema: TOY_SCHEMA,
    algorithm: 'ToyRule',
    metrics: {
      AUC_weighted: 0.5,
      accuracy: 0.5,
      AUC_macro: 0.5,
      average_precision_score_weighted: 0.5,
      f1_score_weighted: 0.5,
      log_loss: 0.69,
      norm_macro_recall: 0,
    },
    model: { rule: 'age < 30' },
    exampleRows: TOY_ROWS,
  };
  const proba = (rows: RawRow[]): number[][] => {
    if (opts.delayMs) {
      const until = Date.now() + opts.delayMs;
      while (Date.now() < until) {
        /* busy: simulate a slow model */
      }
    }
    return rows.map((r) => (typeof r.age === 'number' && r.age < 30 ? [0.2, 0.8] : [0.9, 0.1]));
  };
  return {
    artifact,
    inputSchema: TOY_SCHEMA,
    classes: artifact.classes,
    predictProba: proba,
    predict: (rows) => proba(rows).map((p) => opts.label ?? ((p[1] ?? 0) > 0.5 ? 'yes' : 'no')),
  };
}

export const PRIMARY = 'primary-key-0123456789abcdef';
export const SECONDARY = 'secondary-key-0123456789abcdef';

// Batch scoring jobs: a whole file scored in mini-batches by parallel worker threads; predictions go to blob storage.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseCsv, tableRows } from '../../automl';
import type { ModelArtifact, RawRow } from '../../automl/types';
import type { WorkspaceBlobs } from '../storage/blobs';
import { readTable } from '../storage/mltable';

export interface BatchScoringSpec {
  artifact: ModelArtifact;
  inputUri: string;
  inputType: 'mltable' | 'uri_file';
  miniBatchSize: number;
  concurrency: number;
  outputPath: string;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Scores every row; returns the number of rows written to `outputPath` in the default datastore. */
export async function runBatchScoring(blobs: WorkspaceBlobs, spec: BatchScoringSpec): Promise<number> {
  const table = await readTable(blobs, spec.inputUri, spec.inputType, 'properties.InputData');
  const rows: RawRow[] = [];
  for (const text of table.texts) rows.push(...tableRows(parseCsv(text, spec.inputUri)));
  const batches: RawRow[][] = [];
  for (let i = 0; i < rows.length; i += spec.miniBatchSize) batches.push(rows.slice(i, i + spec.miniBatchSize));
  const results: { labels: string[]; proba: number[][] }[] = new Array(batches.length);
  let classes: string[] = spec.artifact.classes;
  const nWorkers = Math.max(1, Math.min(spec.concurrency, batches.length));
  const workers = Array.from(
    { length: nWorkers },
    () => new Worker(join(__dirname, 'batch-worker.js'), { workerData: spec.artifact }),
  );
  try {
    let next = 0;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= batches.length) return resolve();
              const id = next++;
              w.postMessage({ id, rows: batches[id] });
            };
            type Reply = { id: number; labels?: string[]; proba?: number[][]; classes?: string[]; error?: string };
            w.on('message', (m: Reply) => {
              if (m.error) return reject(new Error(`mini-batch ${m.id}: ${m.error}`));
              results[m.id] = { labels: m.labels!, proba: m.proba! };
              classes = m.classes ?? classes;
              send();
            });
            w.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const inputCols = rows.length ? Object.keys(rows[0]) : [];
  const header = [...inputCols, 'prediction', ...classes.map((c) => `probability_${c}`)].map(csvCell).join(',');
  const lines = [header];
  results.forEach((r, b) =>
    r.labels.forEach((label, i) => {
      const row = batches[b][i];
      const proba = r.proba[i].map((p) => p.toFixed(6));
      lines.push([...inputCols.map((c) => csvCell(row[c])), csvCell(label), ...proba].join(','));
    }),
  );
  const output = { container: blobs.defaultContainer, path: spec.outputPath };
  await blobs.writeText(output, `${lines.join('\n')}\n`, 'text/csv');
  return rows.length;
}

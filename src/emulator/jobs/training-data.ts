// A training job's data: the input's files read from blob storage here, parsed into the engine's table on the
// training thread.
import { parseCsv, type Table } from '../../automl';
import type { WorkspaceBlobs } from '../storage/blobs';
import { readTable } from '../storage/mltable';

/** The input's CSV files as read, and the input as the job names it (for messages). */
export interface TrainingData {
  texts: string[];
  reference: string;
}

/** Reads the input's files; no parsing, so the workspace's event loop (which also fronts scoring) never stalls. */
export async function readTrainingData(
  blobs: WorkspaceBlobs,
  input: { uri: string; type: 'mltable' | 'uri_file' },
  reference: string,
): Promise<TrainingData> {
  const { texts } = await readTable(blobs, input.uri, input.type, 'properties.taskDetails.trainingData.uri');
  return { texts, reference };
}

/**
 * The files as one table: the first file's header, then the rows of every file (each later file's header line
 * skipped), parsed as one CSV text. Runs on the training thread: about 0.5 s for the bank data's 32,950 rows on a
 * busy 2-core machine, which on the workspace's event loop would delay every scoring request behind it.
 */
export function trainingTable(data: TrainingData): Table {
  const parts = data.texts.map((text, i) => {
    const body = i === 0 ? text : text.slice(text.indexOf('\n') + 1);
    return body.endsWith('\n') ? body : `${body}\n`;
  });
  return parseCsv(parts.join(''), `The training data ${data.reference}`);
}

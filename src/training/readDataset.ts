// Reads a dataset file from disk into a raw table, turning file-level problems into DatasetError.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DatasetError, parseCsv, type Table } from '../automl';

/** Reads and parses a CSV file (UTF-8, header line first). */
export async function readDataset(csvPath: string): Promise<Table> {
  const name = path.basename(csvPath);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(csvPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new DatasetError(
        'FileMissing',
        `The dataset file ${csvPath} does not exist; check the path or upload the dataset again.`,
      );
    }
    if (code === 'EISDIR')
      throw new DatasetError(
        'FileMissing',
        `${csvPath} is a folder, not a CSV file; point to the .csv file inside it.`,
      );
    throw e;
  }
  if (bytes.length === 0) {
    throw new DatasetError(
      'EmptyFile',
      `The dataset file ${name} is empty (0 bytes); upload a CSV file with a header line and data rows.`,
    );
  }
  return parseCsv(bytes, `The dataset file ${name}`);
}

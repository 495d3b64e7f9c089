// CSV bytes to a Table and a Table back to CSV text (no file access: callers read and write files);
// errors name the line.
import { parse } from 'csv-parse/sync';
import { DatasetError } from './errors';
import { encodeTable, tableRows, type Table } from './table';
import type { RawRow } from './types';

/** Byte offset of the first invalid UTF-8 sequence, or -1 when the whole buffer is valid. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function lineAt(b: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (b[i] === 0x0a) line++;
  return line;
}

/** ',' unless the header line has none and does have ';' (European spreadsheets) or tabs. */
function sniffDelimiter(text: string): string {
  const nl = text.indexOf('\n');
  const header = nl >= 0 ? text.slice(0, nl) : text;
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  if (header.includes('\t')) return '\t';
  return ',';
}

/**
 * Parses a CSV document (first line is the header). Throws DatasetError for empty input,
 * non-UTF-8 bytes, malformed rows and duplicate column names, always with the line number.
 */
export function parseCsv(input: Uint8Array | string, sourceName = 'the dataset'): Table {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const bad = firstInvalidUtf8(input);
    if (bad >= 0) {
      throw new DatasetError(
        'NotUtf8',
        `${sourceName} is not valid UTF-8 (first bad byte at offset ${bad}, line ${lineAt(input, bad)}); ` +
          'save it as UTF-8 (e.g. "Save as CSV UTF-8" in Excel, or `iconv -f latin1 -t utf-8`) and upload it again.',
        { line: lineAt(input, bad) },
      );
    }
    text = new TextDecoder('utf-8').decode(input);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    throw new DatasetError('EmptyFile', `${sourceName} is empty; upload a CSV file with a header line and data rows.`);
  }
  let records: string[][];
  try {
    records = parse(text, {
      skip_empty_lines: true,
      trim: true,
      relax_quotes: false,
      delimiter: sniffDelimiter(text),
    }) as string[][];
  } catch (e) {
    // csv-parse reports the 1-based line where the bad record ends in `lines`.
    const err = e as { message?: string; lines?: number };
    const line = typeof err.lines === 'number' ? err.lines : undefined;
    const where = line !== undefined ? ` at line ${line}` : '';
    throw new DatasetError(
      'UnparseableRow',
      `${sourceName} could not be parsed as CSV${where}: ${err.message ?? String(e)}. ` +
        'Fix that line (every row needs as many fields as the header; quote fields that contain commas) and try again.',
      { line },
    );
  }
  if (records.length === 0) {
    throw new DatasetError('EmptyFile', `${sourceName} is empty; upload a CSV file with a header line and data rows.`);
  }
  const columns = records[0];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) {
      throw new DatasetError(
        'DuplicateColumn',
        `${sourceName} has the column "${c}" twice in its header; rename one of them.`,
        { line: 1, columns },
      );
    }
    seen.add(c);
  }
  return encodeTable(columns, records, 1);
}

/** One cell: quoted when it holds a delimiter, quote or line break, or edge spaces parseCsv's trim would drop. */
function formatCell(value: RawRow[string], onlyColumn: boolean): string {
  const text = value === null || value === undefined ? '' : String(value);
  // A lone empty cell would make an empty line, which parseCsv skips: quote it so the row survives.
  if (/[",\r\n]|^\s|\s$/.test(text) || (onlyColumn && text === '')) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/** Writes a table as comma-separated CSV with a header line; parseCsv reads it back to the same table. */
export function formatCsv(table: Table): string {
  const only = table.columns.length === 1;
  const line = (cells: RawRow[string][]) => cells.map((c) => formatCell(c, only)).join(',');
  const lines = [line(table.columns), ...tableRows(table).map((r) => line(table.columns.map((c) => r[c])))];
  return `${lines.join('\n')}\n`;
}

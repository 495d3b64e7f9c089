// formatCsv writes what parseCsv reads back: awkward cells survive the round trip.
import { formatCsv, parseCsv, tableRows } from '../../../src/automl';
import { encodeTable } from '../../../src/automl/table';
import type { RawRow } from '../../../src/automl/types';

const tableOf = (columns: string[], rows: RawRow[]) =>
  encodeTable(
    columns,
    rows.map((r) => columns.map((c) => String(r[c] ?? ''))),
  );

describe('formatCsv', () => {
  it('round-trips commas, quotes, line breaks, edge spaces and empty cells', () => {
    const table = tableOf(
      ['name', 'note, with comma', 'n'],
      [
        { name: 'plain', 'note, with comma': 'say "hi"', n: '1' },
        { name: ' padded ', 'note, with comma': 'two\nlines', n: '' },
        { name: '', 'note, with comma': 'a,b', n: '-0.5' },
      ],
    );
    const text = formatCsv(table);
    expect(text.split('\n')[0]).toBe('name,"note, with comma",n');
    expect(tableRows(parseCsv(text))).toEqual(tableRows(table));
  });

  it('keeps an empty cell of a one-column table as a row', () => {
    const table = tableOf(['only'], [{ only: 'a' }, { only: '' }, { only: 'b' }]);
    expect(tableRows(parseCsv(formatCsv(table)))).toEqual(tableRows(table));
  });
});

// formatCsv writes what parseCsv reads back: awkward cells survive the round trip.
import { formatCsv, parseCsv, type Table } from '../../../src/automl';

describe('formatCsv', () => {
  it('round-trips commas, quotes, line breaks, edge spaces and empty cells', () => {
    const table: Table = {
      columns: ['name', 'note, with comma', 'n'],
      rows: [
        { name: 'plain', 'note, with comma': 'say "hi"', n: '1' },
        { name: ' padded ', 'note, with comma': 'two\nlines', n: '' },
        { name: '', 'note, with comma': 'a,b', n: '-0.5' },
      ],
    };
    const text = formatCsv(table);
    expect(text.split('\n')[0]).toBe('name,"note, with comma",n');
    expect(parseCsv(text)).toEqual(table);
  });

  it('keeps an empty cell of a one-column table as a row', () => {
    const table: Table = { columns: ['only'], rows: [{ only: 'a' }, { only: '' }, { only: 'b' }] };
    expect(parseCsv(formatCsv(table))).toEqual(table);
  });
});

// The parsed table: each column's distinct values once with a code per row, read back as the parsed rows.
import { parseCsv, selectRows, tableRows } from '../../../src/automl';
import { syntheticRows, toCsv } from './synthetic';

describe('Table', () => {
  it('keeps each distinct value of a column once, with a code per row', () => {
    const t = parseCsv('color,n\nred,1\nblue,2\nred,3\n,4\n');
    expect(t.columns).toEqual(['color', 'n']);
    expect(t.nRows).toBe(4);
    expect(t.cells[0].levels).toEqual(['red', 'blue', '']);
    expect(Array.from(t.cells[0].codes)).toEqual([0, 1, 0, 2]);
  });

  it('gives back the parsed rows, all or some, in the order asked', () => {
    const rows = syntheticRows({ rows: 50, seed: 2 });
    const t = parseCsv(toCsv(rows));
    expect(tableRows(t)).toEqual(rows);
    expect(tableRows(t, [7, 3])).toEqual([rows[7], rows[3]]);
    const some = selectRows(t, [9, 0, 9]);
    expect(some.nRows).toBe(3);
    expect(tableRows(some)).toEqual([rows[9], rows[0], rows[9]]);
  });

  it('is the same table after a structured clone (what posting it to a thread does)', () => {
    const t = parseCsv(toCsv(syntheticRows({ rows: 30, seed: 4 })));
    expect(tableRows(structuredClone(t))).toEqual(tableRows(t));
  });
});

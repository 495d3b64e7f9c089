// Checks every scoring row against the model's input schema and turns it into the RawRow the model scores.
import type { ColumnSchema, RawRow } from '../automl/types';
import { badRequest } from './errors';

export interface ValidatedRows {
  rows: RawRow[];
  /** Categorical values the model did not see in training; scored as unseen ("other"). */
  unseenCategories: number;
}

type Cell = string | number | boolean | null;

const describe = (value: unknown): string => {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
};

interface CompiledColumn {
  name: string;
  /** The name is also an Object.prototype member (e.g. "constructor"): presence needs hasOwnProperty. */
  inherited: boolean;
  convert: (value: unknown, row: number) => Cell;
  categories?: Set<string>;
}

function compileColumn(col: ColumnSchema): CompiledColumn {
  const fail = (row: number, value: unknown, expected: string): never => {
    throw badRequest(`row ${row}, column '${col.name}': expected ${expected}, got ${describe(value)}`);
  };
  switch (col.type) {
    case 'numeric':
      return {
        name: col.name,
        inherited: col.name in Object.prototype,
        convert: (value, row) => {
          if (value === null) return null;
          if (typeof value === 'number') return Number.isFinite(value) ? value : fail(row, value, 'a finite number');
          if (typeof value === 'string') {
            // CSV-minded clients send numbers as text; an empty cell is a missing value.
            if (value.trim() === '') return null;
            const n = Number(value);
            return Number.isFinite(n) ? n : fail(row, value, 'a number');
          }
          return fail(row, value, 'a number');
        },
      };
    case 'categorical':
      return {
        name: col.name,
        inherited: col.name in Object.prototype,
        categories: col.categories ? new Set(col.categories) : undefined,
        convert: (value, row) => {
          if (value === null || typeof value === 'string') return value;
          if (typeof value === 'number' || typeof value === 'boolean') return String(value);
          return fail(row, value, 'a string category');
        },
      };
    case 'boolean':
      return {
        name: col.name,
        inherited: col.name in Object.prototype,
        categories: col.categories ? new Set(col.categories) : undefined,
        convert: (value, row) => {
          if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
          if (value === 0 || value === 1) return value === 1;
          return fail(row, value, 'true/false');
        },
      };
  }
}

/**
 * Builds a validator for one model. Rules, each answered with 400 naming row and column:
 * - a column the model needs is absent: rejected (send null for a missing value; it is imputed);
 * - a value of the wrong type: rejected (numbers sent as numeric text are accepted);
 * - an unknown category: accepted and scored as unseen, counted for telemetry;
 * - a column the model does not know: rejected, except the model's target column, which is
 *   ignored so rows copied from the training CSV score as they are.
 */
export function compileRowValidator(schema: ColumnSchema[], target: string): (rows: unknown[]) => ValidatedRows {
  const columns = schema.map(compileColumn);
  const known = new Set(schema.map((c) => c.name));
  const expectedList = schema.map((c) => c.name).join(', ');
  // Rows are copies of a template holding every column (in schema order): one allocation with the final
  // shape instead of growing each row property by property. Not for a "__proto__" column, which an
  // assignment treats as the prototype.
  const template: RawRow | undefined = schema.some((c) => c.name === '__proto__')
    ? undefined
    : Object.fromEntries(schema.map((c) => [c.name, null]));

  return (input) => {
    const rows: RawRow[] = new Array(input.length);
    let unseen = 0;
    for (let r = 0; r < input.length; r++) {
      const raw = input[r];
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw badRequest(`row ${r}: expected an object of column: value, got ${describe(raw)}`);
      }
      const source = raw as Record<string, unknown>;
      const row: RawRow = template ? { ...template } : {};
      let seen = 0;
      for (let c = 0; c < columns.length; c++) {
        const col = columns[c]!;
        // JSON has no undefined: an undefined own value means the column is absent.
        const sent = source[col.name];
        if (sent === undefined || (col.inherited && !Object.prototype.hasOwnProperty.call(source, col.name))) {
          throw badRequest(`row ${r}, column '${col.name}': missing; send every input column (null for a missing value)`);
        }
        const value = col.convert(sent, r);
        if (col.categories && typeof value === 'string' && !col.categories.has(value)) unseen++;
        row[col.name] = value;
        seen++;
      }
      // Count own keys without allocating Object.keys' array for every row.
      let keyCount = 0;
      for (const _key in source) keyCount++; // own keys, plus any enumerable inherited ones: a mismatch is checked exactly below
      if (keyCount !== seen) {
        for (const key of Object.keys(source)) {
          if (!known.has(key) && key !== target) {
            throw badRequest(`row ${r}, column '${key}': unknown column; the model's input columns are: ${expectedList}`);
          }
        }
      }
      rows[r] = row;
    }
    return { rows, unseenCategories: unseen };
  };
}

// Checks every scoring row against the model's input schema and turns it into the RawRow the model scores.
import type { ColumnSchema, RawRow } from '../automl/types';
import { ScoringError, badRequest } from './errors';
import { Expected, describeInput, type InputColumn } from './input-schema';

export interface ValidatedRows {
  rows: RawRow[];
  /** Categorical values the model did not see in training; scored as unseen ("other"). */
  unseenCategories: number;
  /** Optional columns absent from at least one row (scored as missing); undefined when every row had them all. */
  missingColumns: string[] | undefined;
}

const describe = (value: unknown): string => {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  }
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
};

const absent = (source: Record<string, unknown>, col: InputColumn): boolean =>
  source[col.name] === undefined || (col.inherited && !Object.prototype.hasOwnProperty.call(source, col.name));

/** 400 for a row without a required column; every required column the row lacks goes into the telemetry record. */
function missingColumn(r: number, col: InputColumn, source: Record<string, unknown>, columns: InputColumn[]) {
  const lacking = columns.filter((c) => c.required && absent(source, c)).map((c) => c.name);
  const message = `row ${r}, column '${col.name}': missing; send every input column (null for a missing value)`;
  return new ScoringError(400, message, lacking);
}

/**
 * Builds a validator for one model. Rules, each answered with 400 naming row and column:
 * - a required column is absent: rejected (send null for a missing value; it is imputed);
 * - an optional column (named in `optional`) is absent: scored as a missing value, and reported in missingColumns;
 * - a value of the wrong type: rejected (numbers sent as numeric text are accepted);
 * - an unknown category: accepted and scored as unseen, counted for telemetry;
 * - a column the model does not know: rejected, except the model's target column, which is
 *   ignored so rows copied from the training CSV score as they are.
 */
export function compileRowValidator(
  schema: ColumnSchema[],
  target: string,
  optional: Iterable<string> = [],
): (rows: unknown[]) => ValidatedRows {
  const columns = describeInput(schema, optional);
  const names = columns.map((c) => c.name);
  const known = new Set(names);
  const expectedList = names.join(', ');
  // Rows are copies of a template holding every column (in schema order): one allocation with the final
  // shape instead of growing each row property by property. Not for a "__proto__" column, which an
  // assignment treats as the prototype.
  const template: RawRow | undefined = known.has('__proto__')
    ? undefined
    : Object.fromEntries(names.map((name) => [name, null]));

  return (input) => {
    const rows: RawRow[] = new Array(input.length);
    let unseen = 0;
    let missing: string[] | undefined; // allocated only when an optional column is left out
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
          if (col.required) throw missingColumn(r, col, source, columns);
          // The template holds null (without one the column stays undefined): scored as a missing value.
          if (!missing) missing = [col.name];
          else if (!missing.includes(col.name)) missing.push(col.name);
          continue;
        }
        const value = col.accept(sent);
        if (value instanceof Expected) {
          throw badRequest(`row ${r}, column '${col.name}': expected ${value.what}, got ${describe(sent)}`);
        }
        if (col.categories && typeof value === 'string' && !col.categories.has(value)) unseen++;
        row[col.name] = value;
        seen++;
      }
      // Count own keys without allocating Object.keys' array for every row. for-in also counts enumerable
      // inherited keys: a mismatch is checked exactly below.
      let keyCount = 0;
      for (const _key in source) keyCount++;
      if (keyCount !== seen) {
        for (const key of Object.keys(source)) {
          if (!known.has(key) && key !== target) {
            throw badRequest(
              `row ${r}, column '${key}': unknown column; the model's input columns are: ${expectedList}`,
            );
          }
        }
      }
      rows[r] = row;
    }
    return { rows, unseenCategories: unseen, missingColumns: missing };
  };
}

// The model's input row described once, per column type: what a cell accepts and how the OpenAPI document shows it.
import type { ColumnSchema, ColumnType, RawRow } from '../automl/types';

/** A cell as the model scores it. */
export type Cell = string | number | boolean | null;
type Json = Record<string, unknown>;

/** What a refused value should have been (the words after "expected"); shared, so refusing allocates nothing. */
export class Expected {
  constructor(readonly what: string) {}
}

const A_NUMBER = new Expected('a number');
const A_FINITE_NUMBER = new Expected('a finite number');
const A_CATEGORY = new Expected('a string category');
const TRUE_FALSE = new Expected('true/false');

interface CellType {
  /** A sent value (never undefined: JSON has none) as the model scores it, or what was expected instead. */
  accept(value: unknown): Cell | Expected;
  /** Whether the training categories are documented and unseen values counted. */
  hasCategories: boolean;
  /**
   * The JSON Schema type words; `notes` (empty, or starting with a space) tells the training categories and whether
   * the column is optional, the example is a real training value.
   */
  schema(notes: string, example: Cell | undefined): Json;
  /** A training-CSV text cell as a JSON client sends it. */
  fromText(text: string): Cell;
}

const asIs = (text: string): Cell => text;

const CELL_TYPES: Record<ColumnType, CellType> = {
  numeric: {
    accept: (value) => {
      if (value === null) return null;
      if (typeof value === 'number') return Number.isFinite(value) ? value : A_FINITE_NUMBER;
      if (typeof value === 'string') {
        // CSV-minded clients send numbers as text; an empty cell is a missing value.
        if (value.trim() === '') return null;
        const n = Number(value);
        return Number.isFinite(n) ? n : A_NUMBER;
      }
      return A_NUMBER;
    },
    hasCategories: false,
    schema: (notes) => ({ type: 'number', format: 'double', ...(notes ? { description: notes.trim() } : {}) }),
    fromText: (text) => {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    },
  },
  categorical: {
    accept: (value) => {
      if (value === null || typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return A_CATEGORY;
    },
    hasCategories: true,
    schema: (notes) => ({ type: 'string', description: `Categorical.${notes}` }),
    fromText: asIs,
  },
  boolean: {
    accept: (value) => {
      if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
      if (value === 0 || value === 1) return value === 1;
      return TRUE_FALSE;
    },
    hasCategories: true,
    // Two-valued columns arrive as true/false or as their category text ("no"/"yes"); document what the real rows hold.
    schema: (notes, example) => ({
      type: typeof example === 'string' ? 'string' : 'boolean',
      description: `Two-valued: true/false or its category text.${notes}`,
    }),
    fromText: asIs,
  },
};

/** One input column as both the row validator and the OpenAPI document use it. */
export interface InputColumn {
  readonly name: string;
  /**
   * False for a column the deployment was told is optional (a column a retrain added): a row without it is scored
   * with the value missing, and the OpenAPI document leaves it out of `required`.
   */
  readonly required: boolean;
  /** The name is also an Object.prototype member (e.g. "constructor"): presence needs hasOwnProperty. */
  readonly inherited: boolean;
  /** Runs for every cell of every request: a sent value as the model scores it, or what was expected. */
  readonly accept: (value: unknown) => Cell | Expected;
  /** Categories seen in training, to count unseen values (scored as "other"). */
  readonly categories: ReadonlySet<string> | undefined;
  /** The column's property of the InputRow definition, with a real example value when there is one. */
  property(example: Cell | undefined, openapi3: boolean): Json;
  /** A training-CSV cell as a JSON client sends it: "57" -> 57 for numeric columns, empty -> null. */
  exampleCell(value: RawRow[string]): Cell;
}

const OPTIONAL = ' Optional: a row without this column is scored with the value missing.';

function describeColumn(col: ColumnSchema, required: boolean): InputColumn {
  const type = CELL_TYPES[col.type];
  const listed = type.hasCategories ? col.categories : undefined;
  const notes =
    (listed && listed.length > 0 ? ` Seen in training: ${listed.join(', ')}; other values are scored as unseen.` : '') +
    (required ? '' : OPTIONAL);
  return {
    name: col.name,
    required,
    inherited: col.name in Object.prototype,
    accept: type.accept,
    categories: listed ? new Set(listed) : undefined,
    property: (example, openapi3) => ({
      ...type.schema(notes, example),
      ...(openapi3 ? { nullable: true } : { 'x-nullable': true }),
      ...(example !== undefined ? { example } : {}),
    }),
    exampleCell: (value) => {
      if (value === undefined || value === null || value === '') return null;
      return typeof value === 'string' ? type.fromText(value) : value;
    },
  };
}

/**
 * The model's input columns in schema order, each with its validation and documentation. Columns named in
 * `optional` may be left out of a row (the deployment's AMLOPS_OPTIONAL_COLUMNS); every other column is required.
 */
export function describeInput(schema: readonly ColumnSchema[], optional: Iterable<string> = []): InputColumn[] {
  const omissible = new Set(optional);
  return schema.map((col) => describeColumn(col, !omissible.has(col.name)));
}

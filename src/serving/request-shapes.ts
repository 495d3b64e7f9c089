// The three scoring request shapes users send to Azure ML endpoints, parsed at the edge into rows + method.
import { z } from 'zod';
import { badRequest } from './errors';

/** Which request shape the caller used; the reply uses the matching shape. */
export type RequestShape = 'v1' | 'automl' | 'mlflow';
/** GlobalParameters.method values, for the parser and the OpenAPI document alike. */
export const SCORING_METHODS = ['predict', 'predict_proba'] as const;
export type ScoringMethod = (typeof SCORING_METHODS)[number];
/** The method of a request that names none. */
export const DEFAULT_METHOD: ScoringMethod = 'predict';

export interface ScoringRequest {
  shape: RequestShape;
  method: ScoringMethod;
  /** Rows as sent: not yet checked against the model's input schema. */
  rows: unknown[];
}

const Method = z.enum(SCORING_METHODS);
const GlobalParameters = z.object({ method: Method.optional() }).optional();
const Rows = z.array(z.unknown()).min(1, 'send at least one row');

/** Seed/v1: {"data":[{...}]} (optional GlobalParameters as in AutoML v2). */
const V1Body = z.object({ data: Rows, GlobalParameters });
/** AutoML v2: {"Inputs":{"data":[{...}]},"GlobalParameters":{"method":"predict_proba"}}. */
const AutoMLBody = z.object({ Inputs: z.object({ data: Rows }), GlobalParameters });
/** MLflow: {"input_data":{"columns":[...],"index":[...],"data":[[...]]}} (pandas split orientation). */
const MLflowBody = z.object({
  input_data: z.object({
    columns: z.array(z.string()).min(1, 'list the column names'),
    index: z.array(z.union([z.number(), z.string()])).optional(),
    data: z.array(z.array(z.unknown())).min(1, 'send at least one row'),
  }),
  GlobalParameters,
});

export const SHAPES_HINT =
  'send {"Inputs":{"data":[{...}]},"GlobalParameters":{"method":"predict"}}, {"data":[{...}]} ' +
  'or {"input_data":{"columns":[...],"data":[[...]]}}; see /swagger.json';

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request body';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${path}: ${issue.message}`;
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(`${zodMessage(result.error)}; ${SHAPES_HINT}`);
  return result.data;
}

// includes() takes only the tuple's element type; any value may be asked about.
const isMethod = (v: unknown): v is ScoringMethod => (SCORING_METHODS as readonly unknown[]).includes(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The method of a GlobalParameters value the schemas accept (absent, or an object whose method is
 * absent or known), else undefined: the schema then parses the body and words the error.
 */
function plainMethod(globalParameters: unknown): ScoringMethod | undefined {
  if (globalParameters === undefined) return DEFAULT_METHOD;
  if (!isRecord(globalParameters)) return undefined;
  const method = globalParameters.method;
  if (method === undefined) return DEFAULT_METHOD;
  return isMethod(method) ? method : undefined;
}

/** Recognises the shape by its top-level key and returns rows as records. Throws 400 with a fix. */
export function parseScoringRequest(body: unknown): ScoringRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`the request body must be a JSON object; ${SHAPES_HINT}`);
  }
  // Fast path for well-formed AutoML v2 and v1 bodies (nearly every request): the same checks the
  // schemas make, without building zod's parse result; anything else goes through the schemas below.
  const record = body as Record<string, unknown>;
  if ('Inputs' in body) {
    const inputs = record.Inputs;
    const data = isRecord(inputs) ? inputs.data : undefined;
    const method = plainMethod(record.GlobalParameters);
    if (Array.isArray(data) && data.length > 0 && method !== undefined) return { shape: 'automl', method, rows: data };
  } else if (!('input_data' in body) && 'data' in body) {
    const data = record.data;
    const method = plainMethod(record.GlobalParameters);
    if (Array.isArray(data) && data.length > 0 && method !== undefined) return { shape: 'v1', method, rows: data };
  }
  if ('Inputs' in body) {
    const parsed = parseWith(AutoMLBody, body);
    return { shape: 'automl', method: parsed.GlobalParameters?.method ?? DEFAULT_METHOD, rows: parsed.Inputs.data };
  }
  if ('input_data' in body) {
    const parsed = parseWith(MLflowBody, body);
    const { columns, data, index } = parsed.input_data;
    if (new Set(columns).size !== columns.length) throw badRequest('input_data.columns lists a column twice');
    if (index !== undefined && index.length !== data.length) {
      throw badRequest(`input_data.index has ${index.length} entries but input_data.data has ${data.length} rows`);
    }
    const rows = data.map((values, i) => {
      if (values.length !== columns.length) {
        throw badRequest(
          `row ${i}: input_data.data[${i}] has ${values.length} values but input_data.columns has ${columns.length}`,
        );
      }
      const row: Record<string, unknown> = {};
      for (let c = 0; c < columns.length; c++) row[columns[c] as string] = values[c];
      return row;
    });
    return { shape: 'mlflow', method: parsed.GlobalParameters?.method ?? DEFAULT_METHOD, rows };
  }
  if ('data' in body) {
    const parsed = parseWith(V1Body, body);
    return { shape: 'v1', method: parsed.GlobalParameters?.method ?? DEFAULT_METHOD, rows: parsed.data };
  }
  throw badRequest(`the request body has none of the keys "Inputs", "data" or "input_data"; ${SHAPES_HINT}`);
}

/** Probabilities keyed by class label, e.g. {"no":0.93,"yes":0.07}. */
export type ClassProbabilities = Record<string, number>;
export type Predictions = string[] | ClassProbabilities[];

/** The reply body in the shape matching the request: {"result"}, {"Results"} or a bare MLflow list. */
export function formatScoringReply(shape: RequestShape, predictions: Predictions): unknown {
  switch (shape) {
    case 'v1':
      return { result: predictions };
    case 'automl':
      return { Results: predictions };
    case 'mlflow':
      return predictions;
  }
}

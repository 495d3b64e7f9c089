// Builds the endpoint's OpenAPI document (Swagger 2.0 by default, OpenAPI 3.0 on ?version=3) from the input schema.
import type { LoadedModel, RawRow } from '../automl/types';
import { describeInput, type InputColumn } from './input-schema';
import { DEFAULT_METHOD, SCORING_METHODS, type RequestShape } from './request-shapes';

export interface SwaggerInfo {
  title: string;
  modelName?: string;
  modelVersion?: string;
  /** Columns a row may leave out (scored as missing): documented as optional, left out of `required`. */
  optionalColumns?: readonly string[];
}

type Json = Record<string, unknown>;
const EXAMPLE_ROWS = 2;

/** Real training rows restricted to the input columns (target removed), typed as JSON callers send them. */
function typedRows(model: LoadedModel, columns: InputColumn[], count: number): RawRow[] {
  return model.artifact.exampleRows.slice(0, count).map((row) => {
    const out: RawRow = {};
    for (const col of columns) out[col.name] = col.exampleCell(row[col.name]);
    return out;
  });
}

/** The first `count` example rows as a client sends them (the bench and tests score these). */
export function exampleRowsFor(model: LoadedModel, count = EXAMPLE_ROWS): RawRow[] {
  return typedRows(model, describeInput(model.inputSchema), count);
}

/** The request body of each shape, all scoring the same rows. */
function requestBodies(rows: RawRow[], columns: InputColumn[]): Record<RequestShape, Json> {
  const names = columns.map((c) => c.name);
  const data = rows.map((r) => names.map((c) => r[c] ?? null));
  return {
    automl: { Inputs: { data: rows }, GlobalParameters: { method: DEFAULT_METHOD } },
    v1: { data: rows },
    mlflow: { input_data: { columns: names, index: rows.map((_, i) => i), data } },
  };
}

/** The example request of each shape, as the OpenAPI document shows them. */
export function exampleRequests(model: LoadedModel): Record<RequestShape, Json> {
  const columns = describeInput(model.inputSchema);
  return requestBodies(typedRows(model, columns, EXAMPLE_ROWS), columns);
}

/** What one document is built from: the described input columns, the example rows and their request bodies. */
interface DocumentInput {
  model: LoadedModel;
  columns: InputColumn[];
  rows: RawRow[];
  examples: Record<RequestShape, Json>;
  openapi3: boolean;
}

const refTo =
  (openapi3: boolean) =>
  (name: string): Json => ({ $ref: openapi3 ? `#/components/schemas/${name}` : `#/definitions/${name}` });

function definitions({ model, columns, rows, examples, openapi3 }: DocumentInput): Record<string, Json> {
  const ref = refTo(openapi3);
  const first = rows[0];
  const properties: Json = {};
  for (const col of columns) properties[col.name] = col.property(first?.[col.name], openapi3);
  const label: Json = { type: 'string', enum: [...model.classes] };
  const probabilities: Json = {
    type: 'object',
    description: `Probability per class label (${model.classes.join(', ')}).`,
    properties: Object.fromEntries(model.classes.map((c) => [c, { type: 'number', format: 'double' }])),
  };
  const predictionItem: Json = openapi3 ? { oneOf: [label, probabilities] } : label;
  return {
    InputRow: { type: 'object', required: columns.filter((c) => c.required).map((c) => c.name), properties },
    GlobalParameters: {
      type: 'object',
      properties: { method: { type: 'string', enum: [...SCORING_METHODS], default: DEFAULT_METHOD } },
    },
    ServiceInput: {
      type: 'object',
      description:
        'AutoML v2 request. ' +
        'The seed/v1 shape {"data":[...]} and the MLflow shape {"input_data":{...}} are accepted too.',
      required: ['Inputs'],
      properties: {
        Inputs: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('InputRow') } } },
        GlobalParameters: ref('GlobalParameters'),
      },
      example: examples.automl,
    },
    V1Input: {
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'array', items: ref('InputRow') }, GlobalParameters: ref('GlobalParameters') },
      example: examples.v1,
    },
    MLflowInput: {
      type: 'object',
      required: ['input_data'],
      properties: {
        input_data: {
          type: 'object',
          required: ['columns', 'data'],
          properties: {
            columns: { type: 'array', items: { type: 'string' } },
            index: { type: 'array', items: { type: 'integer' } },
            data: { type: 'array', items: { type: 'array', items: {} } },
          },
        },
        GlobalParameters: ref('GlobalParameters'),
      },
      example: examples.mlflow,
    },
    ServiceOutput: {
      type: 'object',
      description:
        'AutoML v2 reply: class labels (method predict) or probabilities per class (predict_proba). ' +
        'v1 requests get {"result":[...]}, MLflow requests a bare list.',
      properties: { Results: { type: 'array', items: predictionItem } },
      example: { Results: rows.map(() => model.classes[0]) },
    },
    ErrorResponse: {
      type: 'object',
      properties: { message: { type: 'string' } },
    },
  };
}

/** The POST /score operation: one body schema in Swagger 2.0, the three shapes as oneOf in OpenAPI 3.0. */
function scoreOperation({ examples, openapi3 }: DocumentInput): Json {
  const ref = refTo(openapi3);
  const errorResponse = (text: string): Json =>
    openapi3
      ? { description: text, content: { 'application/json': { schema: ref('ErrorResponse') } } }
      : { description: text, schema: ref('ErrorResponse') };
  const errors = {
    '400': errorResponse('The request does not match the model input schema; the message names row and column.'),
    '401': errorResponse('Missing or wrong endpoint key.'),
    '413': errorResponse('Request body too large.'),
    '415': errorResponse('Content type is not application/json.'),
  };
  if (openapi3) {
    return {
      operationId: 'RunMLService',
      description: 'Score rows with the model.',
      security: [{ Bearer: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { oneOf: [ref('ServiceInput'), ref('V1Input'), ref('MLflowInput')] },
            examples: {
              automl: { summary: 'AutoML v2', value: examples.automl },
              v1: { summary: 'Seed / v1', value: examples.v1 },
              mlflow: { summary: 'MLflow', value: examples.mlflow },
            },
          },
        },
      },
      responses: {
        '200': { description: 'Predictions', content: { 'application/json': { schema: ref('ServiceOutput') } } },
        ...errors,
      },
    };
  }
  return {
    operationId: 'RunMLService',
    description: 'Score rows with the model.',
    security: [{ Bearer: [] }],
    consumes: ['application/json'],
    produces: ['application/json'],
    parameters: [
      {
        name: 'serviceInputPayload',
        in: 'body',
        required: true,
        description: 'Rows to score.',
        schema: ref('ServiceInput'),
      },
    ],
    responses: { '200': { description: 'Predictions', schema: ref('ServiceOutput') }, ...errors },
  };
}

/** The OpenAPI document for one deployment. Relative server URL, so "Try it out" calls the serving host. */
export function buildSwagger(model: LoadedModel, info: SwaggerInfo, version: 2 | 3): Json {
  const description =
    `Scoring API of model ${info.modelName ?? model.artifact.target}` +
    `${info.modelVersion ? ` version ${info.modelVersion}` : ''} (${model.artifact.algorithm}), ` +
    `predicting '${model.artifact.target}' with classes ${model.classes.join(', ')}. ` +
    'Authorize with "Bearer YOUR_ENDPOINT_KEY".';
  const openapi3 = version === 3;
  const columns = describeInput(model.inputSchema, info.optionalColumns);
  const rows = typedRows(model, columns, EXAMPLE_ROWS);
  const input: DocumentInput = { model, columns, rows, examples: requestBodies(rows, columns), openapi3 };
  const health = {
    operationId: 'ServiceHealthCheck',
    description: 'Health check: answers "Healthy" while the server runs.',
    responses: openapi3
      ? { '200': { description: 'Healthy', content: { 'text/plain': { schema: { type: 'string' } } } } }
      : { '200': { description: 'Healthy', schema: { type: 'string' } } },
  };
  const bearer = { type: 'apiKey', name: 'Authorization', in: 'header', description: 'For example: Bearer abc123' };
  const common = { paths: { '/': { get: health }, '/score': { post: scoreOperation(input) } } };
  if (openapi3) {
    return {
      openapi: '3.0.3',
      info: { title: info.title, description, version: info.modelVersion ?? '1.0' },
      servers: [{ url: '/' }],
      ...common,
      components: { securitySchemes: { Bearer: bearer }, schemas: definitions(input) },
    };
  }
  return {
    swagger: '2.0',
    info: { title: info.title, description, version: info.modelVersion ?? '1.0' },
    consumes: ['application/json'],
    produces: ['application/json'],
    securityDefinitions: { Bearer: bearer },
    ...common,
    definitions: definitions(input),
  };
}

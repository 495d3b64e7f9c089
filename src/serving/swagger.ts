// Builds the endpoint's OpenAPI document (Swagger 2.0 by default, OpenAPI 3.0 on ?version=3) from the model's input schema.
import type { ColumnSchema, LoadedModel, RawRow } from '../automl/types';

export interface SwaggerInfo {
  title: string;
  modelName?: string;
  modelVersion?: string;
}

type Json = Record<string, unknown>;
const EXAMPLE_ROWS = 2;

function columnSchema(col: ColumnSchema, example: unknown, openapi3: boolean): Json {
  const nullable = openapi3 ? { nullable: true } : { 'x-nullable': true };
  const seen = col.categories && col.categories.length > 0 ? ` Seen in training: ${col.categories.join(', ')}; other values are scored as unseen.` : '';
  switch (col.type) {
    case 'numeric':
      return { type: 'number', format: 'double', ...nullable, ...(example !== undefined ? { example } : {}) };
    case 'categorical':
      return { type: 'string', description: `Categorical.${seen}`, ...nullable, ...(example !== undefined ? { example } : {}) };
    case 'boolean':
      // Two-valued columns arrive as true/false or as their category text ("no"/"yes"); document what the real rows hold.
      return {
        type: typeof example === 'string' ? 'string' : 'boolean',
        description: `Two-valued: true/false or its category text.${seen}`,
        ...nullable,
        ...(example !== undefined ? { example } : {}),
      };
  }
}

/** A CSV-sourced cell as JSON of the column's type: "57" -> 57 for numeric columns. */
function typedCell(col: ColumnSchema, value: RawRow[string]): string | number | boolean | null {
  if (value === undefined || value === null || value === '') return null;
  if (col.type === 'numeric' && typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return value;
}

/** Real training rows restricted to the model's input columns (target removed), typed as JSON callers send them. */
export function exampleRowsFor(model: LoadedModel, count = EXAMPLE_ROWS): RawRow[] {
  const rows = model.artifact.exampleRows.slice(0, count);
  return rows.map((row) => {
    const out: RawRow = {};
    for (const col of model.inputSchema) out[col.name] = typedCell(col, row[col.name]);
    return out;
  });
}

/** The three request bodies, all scoring the same example rows. */
export function exampleRequests(model: LoadedModel): { automl: Json; v1: Json; mlflow: Json } {
  const rows = exampleRowsFor(model);
  const columns = model.inputSchema.map((c) => c.name);
  return {
    automl: { Inputs: { data: rows }, GlobalParameters: { method: 'predict' } },
    v1: { data: rows },
    mlflow: { input_data: { columns, index: rows.map((_, i) => i), data: rows.map((r) => columns.map((c) => r[c] ?? null)) } },
  };
}

function definitions(model: LoadedModel, openapi3: boolean): Record<string, Json> {
  const ref = (name: string): Json => ({ $ref: openapi3 ? `#/components/schemas/${name}` : `#/definitions/${name}` });
  const first = exampleRowsFor(model, 1)[0] ?? {};
  const properties: Json = {};
  for (const col of model.inputSchema) properties[col.name] = columnSchema(col, first[col.name], openapi3);
  const label: Json = { type: 'string', enum: [...model.classes] };
  const probabilities: Json = {
    type: 'object',
    description: `Probability per class label (${model.classes.join(', ')}).`,
    properties: Object.fromEntries(model.classes.map((c) => [c, { type: 'number', format: 'double' }])),
  };
  const examples = exampleRequests(model);
  const predictionItem: Json = openapi3 ? { oneOf: [label, probabilities] } : label;
  return {
    InputRow: { type: 'object', required: model.inputSchema.map((c) => c.name), properties },
    GlobalParameters: {
      type: 'object',
      properties: { method: { type: 'string', enum: ['predict', 'predict_proba'], default: 'predict' } },
    },
    ServiceInput: {
      type: 'object',
      description: 'AutoML v2 request. The seed/v1 shape {"data":[...]} and the MLflow shape {"input_data":{...}} are accepted too.',
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
      example: { Results: exampleRowsFor(model).map(() => model.classes[0]) },
    },
    ErrorResponse: {
      type: 'object',
      properties: { message: { type: 'string' } },
    },
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
  const ref = (name: string): Json => ({ $ref: openapi3 ? `#/components/schemas/${name}` : `#/definitions/${name}` });
  const errorResponse = (text: string): Json =>
    openapi3 ? { description: text, content: { 'application/json': { schema: ref('ErrorResponse') } } } : { description: text, schema: ref('ErrorResponse') };
  const health = {
    operationId: 'ServiceHealthCheck',
    description: 'Health check: answers "Healthy" while the server runs.',
    responses: openapi3
      ? { '200': { description: 'Healthy', content: { 'text/plain': { schema: { type: 'string' } } } } }
      : { '200': { description: 'Healthy', schema: { type: 'string' } } },
  };
  const errors = {
    '400': errorResponse('The request does not match the model input schema; the message names row and column.'),
    '401': errorResponse('Missing or wrong endpoint key.'),
    '413': errorResponse('Request body too large.'),
    '415': errorResponse('Content type is not application/json.'),
  };
  const examples = exampleRequests(model);
  const score = openapi3
    ? {
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
        responses: { '200': { description: 'Predictions', content: { 'application/json': { schema: ref('ServiceOutput') } } }, ...errors },
      }
    : {
        operationId: 'RunMLService',
        description: 'Score rows with the model.',
        security: [{ Bearer: [] }],
        consumes: ['application/json'],
        produces: ['application/json'],
        parameters: [
          { name: 'serviceInputPayload', in: 'body', required: true, description: 'Rows to score.', schema: ref('ServiceInput') },
        ],
        responses: { '200': { description: 'Predictions', schema: ref('ServiceOutput') }, ...errors },
      };
  const bearer = { type: 'apiKey', name: 'Authorization', in: 'header', description: 'For example: Bearer abc123' };
  const common = { paths: { '/': { get: health }, '/score': { post: score } } };
  if (openapi3) {
    return {
      openapi: '3.0.3',
      info: { title: info.title, description, version: info.modelVersion ?? '1.0' },
      servers: [{ url: '/' }],
      ...common,
      components: { securitySchemes: { Bearer: bearer }, schemas: definitions(model, true) },
    };
  }
  return {
    swagger: '2.0',
    info: { title: info.title, description, version: info.modelVersion ?? '1.0' },
    consumes: ['application/json'],
    produces: ['application/json'],
    securityDefinitions: { Bearer: bearer },
    ...common,
    definitions: definitions(model, false),
  };
}

// Reads predictions out of any reply shape an Azure ML scoring endpoint gives,
// and request bodies out of a swagger document.
export type Prediction = string | number | boolean | Record<string, number> | number[];

/**
 * Predictions from {"Results":[...]} (AutoML v2), {"result":[...]} (v1), a bare list (MLflow), or any of those
 * JSON-encoded once more as a string (v1 scoring scripts returning json.dumps). Undefined if none matches.
 */
export function predictionsOf(json: unknown): Prediction[] | undefined {
  if (typeof json === 'string') {
    try {
      return predictionsOf(JSON.parse(json));
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(json)) return json as Prediction[];
  if (typeof json === 'object' && json !== null) {
    const o = json as Record<string, unknown>;
    for (const key of ['Results', 'result', 'predictions']) if (Array.isArray(o[key])) return o[key] as Prediction[];
  }
  return undefined;
}

/** Rows in a request body of any of the three shapes, or undefined. */
export function rowsOf(body: unknown): Array<Record<string, unknown>> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the any: reason
  const b = body as Record<string, any>; // any: probing optional nested keys of an unknown body
  if (Array.isArray(b.Inputs?.data)) return b.Inputs.data;
  if (Array.isArray(b.data)) return b.data;
  const split = b.input_data;
  if (Array.isArray(split?.columns) && Array.isArray(split?.data)) {
    return (split.data as unknown[][]).map((values) =>
      Object.fromEntries((split.columns as string[]).map((c, i) => [c, values[i]])),
    );
  }
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the any: reason
type Doc = Record<string, any>; // any: walking an OpenAPI document by well-known paths

/** The example request body the document gives for POST /score (v2 body parameter or v3 requestBody), if any. */
export function exampleRequestOf(doc: Doc): unknown {
  const op = scoreOperation(doc);
  if (!op) return undefined;
  const resolve = (schema: Doc | undefined): Doc | undefined =>
    typeof schema?.$ref === 'string' ? resolveRef(doc, schema.$ref) : schema;
  const v2 = (op.parameters as Doc[] | undefined)?.find((p) => p.in === 'body');
  if (v2) return resolve(v2.schema)?.example;
  const content = op.requestBody?.content?.['application/json'];
  if (!content) return undefined;
  if (content.example !== undefined) return content.example;
  const first = content.examples && Object.values(content.examples as Record<string, Doc>)[0];
  return first?.value ?? resolve(content.schema)?.example;
}

/** The class labels the document declares for predictions: the first string enum in the 200 reply's schema. */
export function classesOf(doc: Doc): string[] | undefined {
  const walk = (node: unknown, depth: number): string[] | undefined => {
    if (depth > 12 || typeof node !== 'object' || node === null) return undefined;
    const n = node as Doc;
    if (typeof n.$ref === 'string') return walk(resolveRef(doc, n.$ref), depth + 1);
    if (Array.isArray(n.enum) && n.enum.length > 0 && n.enum.every((v: unknown) => typeof v === 'string'))
      return n.enum as string[];
    for (const child of Object.values(n)) {
      const found = walk(child, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(scoreOperation(doc)?.responses?.['200'], 0);
}

function resolveRef(doc: Doc, ref: string): Doc | undefined {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Doc | undefined>((node, part) => node?.[part], doc);
}

/** The POST operation whose path ends in /score. */
export function scoreOperation(doc: Doc): Doc | undefined {
  const paths = (doc.paths ?? {}) as Record<string, Doc>;
  const key = Object.keys(paths).find((p) => /\/score\/?$/.test(p));
  return key ? paths[key]?.post : undefined;
}

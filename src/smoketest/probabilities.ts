// Scores many rows through an endpoint with predict_proba, in batches: every row's class probabilities, in row order.
import { score, type EndpointTarget } from './endpoint';
import { predictionsOf } from './replies';

/** Rows per request: one request of 1,000 rows takes about 20 ms on the local scoring server (bench:serve). */
export const BATCH_ROWS = 1000;

/** Probabilities keyed by class label, e.g. {"no":0.93,"yes":0.07}. */
export type ClassProbabilities = Record<string, number>;

/** A batch the endpoint refused or answered without probabilities; `statusCode` as the Azure SDK's errors have it. */
export class ScoringFailed extends Error {
  override readonly name = 'ScoringFailed';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const isProbabilities = (p: unknown): p is ClassProbabilities =>
  typeof p === 'object' && p !== null && !Array.isArray(p) && Object.values(p).every((v) => typeof v === 'number');

/** Sends `rows` in batches of `batchRows` (AutoML v2 shape); `onBatch` hears how many rows are scored so far. */
export async function scoreProbabilities(
  target: EndpointTarget,
  rows: Record<string, unknown>[],
  options: { batchRows?: number; onBatch?: (scored: number) => void } = {},
): Promise<ClassProbabilities[]> {
  const batchRows = options.batchRows ?? BATCH_ROWS;
  const out: ClassProbabilities[] = [];
  for (let at = 0; at < rows.length; at += batchRows) {
    const batch = rows.slice(at, at + batchRows);
    const body = { Inputs: { data: batch }, GlobalParameters: { method: 'predict_proba' } };
    const reply = await score(target, JSON.stringify(body));
    const which = `rows ${at}-${at + batch.length - 1}`;
    if (reply.status !== 200) {
      const message = (reply.json as { message?: unknown } | undefined)?.message ?? reply.text.slice(0, 300);
      throw new ScoringFailed(reply.status, `${which}: ${String(message)}`);
    }
    const predictions = predictionsOf(reply.json);
    if (!predictions || predictions.length !== batch.length || !predictions.every(isProbabilities)) {
      const got = reply.text.slice(0, 300);
      throw new ScoringFailed(reply.status, `${which}: the reply holds no class probabilities for each row: ${got}`);
    }
    out.push(...predictions);
    options.onBatch?.(out.length);
  }
  return out;
}

// The champion/challenger gate: deploy a new model only if it beats the serving one by a margin, on the same rows.
import type { ModelEvaluation, ModelRef, PrimaryMetricName } from '../contract';

/** log_loss is the one metric where lower is better. */
export const higherIsBetter = (metric: PrimaryMetricName): boolean => metric !== 'log_loss';

export interface ChampionDecision {
  deploy: boolean;
  reason: string;
}

const show = (v: number) => v.toFixed(4);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${show(v)}`;

/**
 * The gate on the cycle's test slice: both models scored on the same held-out rows, so the difference means what it
 * says. The margin applies to the difference; the interval is reported so a reader can tell a win from noise.
 */
export function decideOnSlice(evaluation: ModelEvaluation, margin: number): ChampionDecision {
  const { primaryMetric: metric, testRows, challenger, champion, difference, interval } = evaluation;
  const slice = `the ${testRows}-row test slice`;
  if (!champion || difference === undefined) {
    return { deploy: true, reason: `first model: ${metric} ${show(challenger.metric)} on ${slice}` };
  }
  const spread = interval
    ? ` (${Math.round(interval.confidence * 100)}% interval ${signed(interval.low)} to ${signed(interval.high)})`
    : '';
  const compared =
    `challenger ${metric} ${show(challenger.metric)} vs champion ${show(champion.metric)} on ${slice},` +
    ` difference ${signed(difference)}${spread}, margin ${margin}`;
  return difference > margin
    ? { deploy: true, reason: `${compared}: challenger wins by ${show(difference)}` }
    : { deploy: false, reason: `${compared}: champion kept` };
}

/**
 * The gate when no test slice exists (a registered data asset is used as it is): each model's validation metric from
 * its own training run, which may come from different data; the reason says so.
 */
export function decideWithoutSlice(
  datasetUri: string,
  challenger: ModelRef,
  champion: ModelRef | undefined,
  margin: number,
): ChampionDecision {
  const decision = decideChampion(challenger, champion, margin);
  const why = `no test slice (${datasetUri} is a registered data asset, used as it is): validation metrics compared`;
  return { ...decision, reason: `${why}; ${decision.reason}` };
}

/** Compares the validation metrics each model reached in its own training run. */
export function decideChampion(challenger: ModelRef, champion: ModelRef | undefined, margin: number): ChampionDecision {
  const metric = challenger.primaryMetric;
  if (!champion) {
    return { deploy: true, reason: `first model: ${metric} ${show(challenger.metricValue)}` };
  }
  if (champion.primaryMetric !== metric) {
    return {
      deploy: true,
      reason: `primary metric changed from ${champion.primaryMetric} to ${metric}; the new model replaces the champion`,
    };
  }
  const gain = higherIsBetter(metric)
    ? challenger.metricValue - champion.metricValue
    : champion.metricValue - challenger.metricValue;
  const compared =
    `challenger ${metric} ${show(challenger.metricValue)}` +
    ` vs champion ${show(champion.metricValue)} (margin ${margin})`;
  return gain > margin
    ? { deploy: true, reason: `${compared}: challenger wins by ${show(gain)}` }
    : { deploy: false, reason: `${compared}: champion kept` };
}

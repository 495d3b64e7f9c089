// The champion/challenger gate: deploy a new model only if it beats the serving one by a margin.
import type { ModelRef, PrimaryMetricName } from '../contract';

/** log_loss is the one metric where lower is better. */
export const higherIsBetter = (metric: PrimaryMetricName): boolean => metric !== 'log_loss';

export interface ChampionDecision {
  deploy: boolean;
  reason: string;
}

export function decideChampion(challenger: ModelRef, champion: ModelRef | undefined, margin: number): ChampionDecision {
  const metric = challenger.primaryMetric;
  const show = (v: number) => v.toFixed(4);
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

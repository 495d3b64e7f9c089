// Judges one rollout step from live metrics over a window: the challenger's deployment passes, breaches a threshold,
// or has served too little traffic to judge.
import { type Counts, distributionDistance } from './distribution-distance';

/** One deployment's live metrics over the judged window. */
export interface DeploymentWindow {
  deployment: string;
  requests: number;
  /** Requests answered with a 4xx status (the client's fault, e.g. a missing column). */
  clientErrors: number;
  /** Requests answered with a 5xx status. */
  serverErrors: number;
  /** 95th percentile latency over the window; null when nothing was measured. */
  p95LatencyMs: number | null;
  /** How many times each label was predicted. */
  predictions: Counts;
}

/** A value above its threshold breaches; a threshold left out is not checked. */
export interface RolloutThresholds {
  maxServerErrorRate: number;
  maxClientErrorRate: number;
  maxP95LatencyMs?: number;
  /** The challenger's p95 latency over the champion's. */
  maxP95LatencyRatio?: number;
  /** Jensen-Shannon distance (base 2) between the two deployments' predicted labels. */
  maxPredictionDistance?: number;
  /** Fewer requests than this in the window (on either deployment, for a comparison) is not enough to judge. */
  minRequests: number;
}

export type RolloutMetric =
  'serverErrorRate' | 'clientErrorRate' | 'p95LatencyMs' | 'p95LatencyRatio' | 'predictionDistance';

export interface Breach {
  metric: RolloutMetric;
  value: number;
  threshold: number;
  deployment: string;
}

export interface RolloutVerdict {
  status: 'pass' | 'breach' | 'insufficient-data';
  breaches: Breach[];
  /** Why there is no verdict yet (insufficient-data only). */
  reason?: string;
}

/**
 * The verdict on the challenger's deployment. Its own error rates and latency are judged once it has served
 * minRequests; the comparisons with the champion (latency ratio, prediction distance) also need the champion to have
 * served them, and a measure on both sides. Any breach makes the verdict 'breach', even while another check cannot be
 * made yet; a check that cannot be made and no breach make it 'insufficient-data'.
 */
export function judgeRollout(
  champion: DeploymentWindow,
  challenger: DeploymentWindow,
  thresholds: RolloutThresholds,
): RolloutVerdict {
  checkThresholds(thresholds);
  checkWindow(champion);
  checkWindow(challenger);
  const { minRequests } = thresholds;
  if (challenger.requests < minRequests) {
    return { status: 'insufficient-data', breaches: [], reason: `${served(challenger)}; ${minRequests} are needed` };
  }
  const breaches: Breach[] = [];
  const unjudged = new Set<string>();
  const judge = (metric: RolloutMetric, measured: Measured, threshold: number | undefined) => {
    if (threshold === undefined) return;
    if (typeof measured === 'string') unjudged.add(measured);
    else if (measured > threshold) {
      breaches.push({ metric, value: measured, threshold, deployment: challenger.deployment });
    }
  };
  judge('serverErrorRate', challenger.serverErrors / challenger.requests, thresholds.maxServerErrorRate);
  judge('clientErrorRate', challenger.clientErrors / challenger.requests, thresholds.maxClientErrorRate);
  judge('p95LatencyMs', challenger.p95LatencyMs ?? noLatency(challenger), thresholds.maxP95LatencyMs);
  const thinChampion =
    champion.requests < minRequests ? `${served(champion)}, too few to compare with (${minRequests} needed)` : null;
  const { maxP95LatencyRatio, maxPredictionDistance } = thresholds;
  judge('p95LatencyRatio', thinChampion ?? latencyRatio(champion, challenger), maxP95LatencyRatio);
  judge('predictionDistance', thinChampion ?? predictionDistance(champion, challenger), maxPredictionDistance);
  if (breaches.length > 0) return { status: 'breach', breaches };
  if (unjudged.size > 0) return { status: 'insufficient-data', breaches, reason: [...unjudged].join('; ') };
  return { status: 'pass', breaches };
}

/** A measured value, or why it could not be measured. */
type Measured = number | string;

/** The challenger's p95 over the champion's (Infinity for a champion at 0 ms, which no real server reaches). */
function latencyRatio(champion: DeploymentWindow, challenger: DeploymentWindow): Measured {
  if (champion.p95LatencyMs === null) return noLatency(champion);
  if (challenger.p95LatencyMs === null) return noLatency(challenger);
  if (champion.p95LatencyMs === 0) return challenger.p95LatencyMs === 0 ? 1 : Infinity;
  return challenger.p95LatencyMs / champion.p95LatencyMs;
}

function predictionDistance(champion: DeploymentWindow, challenger: DeploymentWindow): Measured {
  const silent = [champion, challenger].find((w) => Object.values(w.predictions).every((n) => n === 0));
  if (silent) return `deployment '${silent.deployment}' made no predictions in the window`;
  return distributionDistance(champion.predictions, challenger.predictions).jensenShannonDistance;
}

function noLatency(w: DeploymentWindow): string {
  return `deployment '${w.deployment}' has no p95 latency for the window`;
}

function served(w: DeploymentWindow): string {
  return `deployment '${w.deployment}' served ${w.requests} request${w.requests === 1 ? '' : 's'} in the window`;
}

function checkWindow(w: DeploymentWindow): void {
  const where = `deployment '${w.deployment}'`;
  for (const field of ['requests', 'clientErrors', 'serverErrors'] as const) {
    if (!Number.isInteger(w[field]) || w[field] < 0) {
      throw new Error(`${where}: ${field} must be a whole number >= 0, got ${w[field]}`);
    }
  }
  if (w.clientErrors + w.serverErrors > w.requests) {
    throw new Error(
      `${where}: clientErrors (${w.clientErrors}) + serverErrors (${w.serverErrors}) exceed requests (${w.requests})`,
    );
  }
  if (w.p95LatencyMs !== null && !(w.p95LatencyMs >= 0 && Number.isFinite(w.p95LatencyMs))) {
    throw new Error(`${where}: p95LatencyMs must be a number of milliseconds >= 0 or null, got ${w.p95LatencyMs}`);
  }
  for (const [label, n] of Object.entries(w.predictions)) {
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`${where}: the count of predictions '${label}' must be a whole number >= 0, got ${n}`);
    }
  }
}

function checkThresholds(t: RolloutThresholds): void {
  const within = (name: keyof RolloutThresholds, ok: (v: number) => boolean, what: string, optional: boolean) => {
    const v = t[name];
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !ok(v)) throw new Error(`threshold ${name} must be ${what}, got ${v}`);
  };
  within('maxServerErrorRate', (v) => v >= 0 && v <= 1, 'a rate between 0 and 1', false);
  within('maxClientErrorRate', (v) => v >= 0 && v <= 1, 'a rate between 0 and 1', false);
  within('minRequests', (v) => Number.isInteger(v) && v >= 1, 'a whole number >= 1', false);
  within('maxP95LatencyMs', (v) => v > 0 && Number.isFinite(v), 'a number of milliseconds > 0', true);
  within('maxP95LatencyRatio', (v) => v > 0 && Number.isFinite(v), 'a ratio > 0', true);
  within('maxPredictionDistance', (v) => v >= 0 && v <= 1, 'a distance between 0 and 1', true);
}

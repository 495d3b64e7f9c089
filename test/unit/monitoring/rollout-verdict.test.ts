// Rollout verdicts: each threshold breached alone, thin traffic, comparisons with the champion, and input errors.
import { judgeRollout } from '../../../src/monitoring';
import type { DeploymentWindow, RolloutThresholds } from '../../../src/monitoring';

const thresholds: RolloutThresholds = {
  maxServerErrorRate: 0.01,
  maxClientErrorRate: 0.05,
  maxP95LatencyMs: 500,
  maxP95LatencyRatio: 2,
  maxPredictionDistance: 0.1,
  minRequests: 100,
};
const window = (deployment: string, over: Partial<DeploymentWindow> = {}): DeploymentWindow => ({
  deployment,
  requests: 1000,
  clientErrors: 0,
  serverErrors: 0,
  p95LatencyMs: 40,
  predictions: { no: 890, yes: 110 },
  ...over,
});
const blue = window('blue');

describe('judgeRollout', () => {
  it('passes a challenger that behaves like the champion', () => {
    const predictions = { no: 880, yes: 120 };
    const green = window('green', { clientErrors: 50, serverErrors: 10, p95LatencyMs: 80, predictions });
    expect(judgeRollout(blue, green, thresholds)).toEqual({ status: 'pass', breaches: [] });
  });

  it.each([
    ['serverErrorRate', { serverErrors: 11 }, 0.011, 0.01],
    ['clientErrorRate', { clientErrors: 800 }, 0.8, 0.05],
    ['p95LatencyMs', { p95LatencyMs: 501 }, 501, 500],
  ] as const)('breaches %s alone', (metric, over, value, threshold) => {
    const verdict = judgeRollout(blue, window('green', over), { ...thresholds, maxP95LatencyRatio: undefined });
    expect(verdict).toEqual({ status: 'breach', breaches: [{ metric, value, threshold, deployment: 'green' }] });
  });

  it("breaches a p95 latency ratio to the champion's, and reports the ratio", () => {
    const slow = window('green', { p95LatencyMs: 250 });
    const verdict = judgeRollout(window('blue', { p95LatencyMs: 100 }), slow, thresholds);
    expect(verdict.breaches).toEqual([{ metric: 'p95LatencyRatio', value: 2.5, threshold: 2, deployment: 'green' }]);
  });

  it('breaches a prediction distribution far from the champion’s (Jensen-Shannon distance)', () => {
    const green = window('green', { predictions: { no: 500, yes: 500 } });
    const verdict = judgeRollout(window('blue', { predictions: { no: 900, yes: 100 } }), green, thresholds);
    // scipy.spatial.distance.jensenshannon([900, 100], [500, 500], base=2).
    expect(verdict.status).toBe('breach');
    expect(verdict.breaches).toHaveLength(1);
    expect(verdict.breaches[0]).toMatchObject({ metric: 'predictionDistance', threshold: 0.1, deployment: 'green' });
    expect(verdict.breaches[0].value).toBeCloseTo(0.3831358798599423, 12);
  });

  it('lists every breach at once; a value equal to its threshold is not a breach', () => {
    const green = window('green', { serverErrors: 100, clientErrors: 60, p95LatencyMs: 500 });
    expect(judgeRollout(blue, green, { ...thresholds, maxP95LatencyRatio: undefined })).toEqual({
      status: 'breach',
      breaches: [
        { metric: 'serverErrorRate', value: 0.1, threshold: 0.01, deployment: 'green' },
        { metric: 'clientErrorRate', value: 0.06, threshold: 0.05, deployment: 'green' },
      ],
    });
  });

  it('waits for minRequests on the challenger before judging anything', () => {
    const green = window('green', { requests: 99, serverErrors: 99 });
    expect(judgeRollout(blue, green, thresholds)).toEqual({
      status: 'insufficient-data',
      breaches: [],
      reason: "deployment 'green' served 99 requests in the window; 100 are needed",
    });
  });

  it("cannot compare with a champion that served too few requests, but still breaches on the challenger's own", () => {
    const thin = window('blue', { requests: 10 });
    expect(judgeRollout(thin, window('green'), thresholds)).toEqual({
      status: 'insufficient-data',
      breaches: [],
      reason: "deployment 'blue' served 10 requests in the window, too few to compare with (100 needed)",
    });
    const failing = judgeRollout(thin, window('green', { serverErrors: 500 }), thresholds);
    expect(failing.status).toBe('breach');
    expect(failing.breaches.map((b) => b.metric)).toEqual(['serverErrorRate']);
    const noComparison = { ...thresholds, maxP95LatencyRatio: undefined, maxPredictionDistance: undefined };
    expect(judgeRollout(thin, window('green'), noComparison).status).toBe('pass');
  });

  it('says which measure is missing: no latency, no predictions', () => {
    const verdict = judgeRollout(blue, window('green', { p95LatencyMs: null, predictions: {} }), thresholds);
    expect(verdict).toEqual({
      status: 'insufficient-data',
      breaches: [],
      reason:
        "deployment 'green' has no p95 latency for the window; deployment 'green' made no predictions in the window",
    });
    const quiet = judgeRollout(window('blue', { p95LatencyMs: null }), window('green'), thresholds);
    expect(quiet.reason).toBe("deployment 'blue' has no p95 latency for the window");
  });

  it('says what is wrong with a window or a threshold', () => {
    const judge =
      (green: Partial<DeploymentWindow>, t: Partial<RolloutThresholds> = {}) =>
      () =>
        judgeRollout(blue, window('green', green), { ...thresholds, ...t });
    expect(judge({ requests: 10, clientErrors: 6, serverErrors: 5 })).toThrow(
      "deployment 'green': clientErrors (6) + serverErrors (5) exceed requests (10)",
    );
    expect(judge({ serverErrors: -1 })).toThrow("deployment 'green': serverErrors must be a whole number >= 0, got -1");
    expect(judge({ requests: NaN })).toThrow('requests must be a whole number >= 0, got NaN');
    expect(judge({ p95LatencyMs: -3 })).toThrow('p95LatencyMs must be a number of milliseconds >= 0 or null, got -3');
    expect(judge({ predictions: { yes: 1.5 } })).toThrow("the count of predictions 'yes' must be a whole number");
    expect(judge({}, { maxServerErrorRate: 2 })).toThrow('threshold maxServerErrorRate must be a rate between 0 and 1');
    expect(judge({}, { minRequests: 0 })).toThrow('threshold minRequests must be a whole number >= 1, got 0');
    expect(judge({}, { maxP95LatencyRatio: NaN })).toThrow('threshold maxP95LatencyRatio must be a ratio > 0, got NaN');
    expect(judge({}, { maxPredictionDistance: 1.2 })).toThrow('threshold maxPredictionDistance must be a distance');
  });
});

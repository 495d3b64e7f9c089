// The rollout's pure parts: durations, rollout settings from the environment, a check's numbers (live + synthetic),
// probe label counts, threshold names, and how the CLI prints a rollout and a rollback's evidence.
import { combine, labelCounts, verdictThresholds } from '../../../src/activities/check-rollout';
import { ConfigError, loadConfig } from '../../../src/config';
import { AZURE_ROLLOUT, durationMs, LOCAL_ROLLOUT, type CycleRecord, type LiveCheck } from '../../../src/contract';
import { formatHistory } from '../../../src/starters/format';
import { formatRollout } from '../../../src/starters/rollout';

test('durations as settings write them, in milliseconds; anything else is refused by value', () => {
  expect(durationMs('10 seconds')).toBe(10_000);
  expect(durationMs('250ms')).toBe(250);
  expect(durationMs('1.5m')).toBe(90_000);
  expect(durationMs('2 hours')).toBe(7_200_000);
  expect(durationMs('7 days')).toBe(604_800_000);
  expect(() => durationMs('soon')).toThrow('"soon" is not a duration');
});

test('rollout settings: local defaults are short, Azure defaults outlast its metrics delay, env overrides', () => {
  expect(loadConfig({}).settings.rollout).toEqual(LOCAL_ROLLOUT);
  const azure = { AZURE_SUBSCRIPTION_ID: 's', AZURE_RESOURCE_GROUP: 'g', AZUREML_WORKSPACE: 'w' };
  expect(loadConfig(azure).settings.rollout).toEqual(AZURE_ROLLOUT);
  // Azure Monitor publishes a minute 1-3 minutes late: a bake must be well past that.
  expect(durationMs(AZURE_ROLLOUT.bake)).toBeGreaterThan(3 * 60_000);
  const custom = loadConfig({
    AMLOPS_ROLLOUT_CANARY_STEPS: '5, 25, 75',
    AMLOPS_ROLLOUT_SHADOW_SHARE: '0',
    AMLOPS_ROLLOUT_BAKE: '2m',
    AMLOPS_ROLLOUT_MAX_5XX_RATE: '0.05',
  }).settings.rollout;
  expect(custom).toMatchObject({ canarySteps: [5, 25, 75], shadowShare: 0, bake: '2m' });
  expect(custom.thresholds.max5xxRate).toBe(0.05);
  expect(() => loadConfig({ AMLOPS_ROLLOUT_CANARY_STEPS: '50,10', AMLOPS_ROLLOUT_SHADOW_SHARE: '80' })).toThrow(
    ConfigError,
  );
  try {
    loadConfig({ AMLOPS_ROLLOUT_CANARY_STEPS: '50,10', AMLOPS_ROLLOUT_SHADOW_SHARE: '80' });
  } catch (err) {
    expect((err as Error).message).toMatch(/AMLOPS_ROLLOUT_SHADOW_SHARE: .*50/);
    expect((err as Error).message).toContain('AMLOPS_ROLLOUT_CANARY_STEPS: must increase');
  }
});

test('a check adds synthetic requests to live ones, by status class, and keeps the worse p95', () => {
  const live = { deployment: 'cycle-2', requests: 5, status4xx: 1, status5xx: 0, latencyP95Ms: 40 };
  const synthetic = { requests: 15, statusCounts: { '200': 12, '400': 1, '503': 2 }, p95Ms: 25 };
  expect(combine('cycle-2', 'challenger', live, synthetic)).toEqual({
    deployment: 'cycle-2',
    role: 'challenger',
    requests: 20,
    synthetic: 15,
    status4xx: 2,
    status5xx: 2,
    p95Ms: 40,
  });
  expect(combine('cycle-1', 'champion', undefined)).toEqual({
    deployment: 'cycle-1',
    role: 'champion',
    requests: 0,
    synthetic: 0,
    status4xx: 0,
    status5xx: 0,
  });
});

test('probe label counts take each row’s most probable class; thresholds get judgeRollout’s names', () => {
  expect(
    labelCounts([
      { no: 0.9, yes: 0.1 },
      { no: 0.2, yes: 0.8 },
      { no: 0.6, yes: 0.4 },
    ]),
  ).toEqual({ no: 2, yes: 1 });
  expect(verdictThresholds(LOCAL_ROLLOUT.thresholds)).toEqual({
    maxServerErrorRate: 0.01,
    maxClientErrorRate: 0.01,
    minRequests: 20,
    maxP95LatencyMs: 1000,
    maxPredictionDistance: 0.6,
  });
});

const evidence: LiveCheck = {
  at: '2026-01-01T00:00:00.000Z',
  stage: 'canary-10',
  windowSeconds: 10,
  deployments: [
    { deployment: 'cycle-1', role: 'champion', requests: 90, synthetic: 0, status4xx: 0, status5xx: 0, p95Ms: 12 },
    { deployment: 'cycle-2', role: 'challenger', requests: 30, synthetic: 20, status4xx: 0, status5xx: 9, p95Ms: 31 },
  ],
  probe: { rows: 2, source: 'probe', champion: { no: 2 }, challenger: { no: 2 }, jsDistance: 0 },
  verdict: 'breach',
  breaches: [{ metric: 'serverErrorRate', value: 0.3, threshold: 0.01, deployment: 'cycle-2' }],
};

test('the CLI prints the rollout: step, split, time to the next step, per-deployment metrics', () => {
  const text = formatRollout(
    2,
    {
      outcome: 'completed',
      reason: '',
      champion: 'cycle-1',
      challenger: 'cycle-2',
      stages: [{ stage: 'canary-10', traffic: {}, mirrorTraffic: {}, startedAt: '', checks: 1 }],
      syntheticRequests: 20,
      controls: [],
      state: 'running',
      stage: 'canary-10',
      traffic: { 'cycle-1': 90, 'cycle-2': 10 },
      mirrorTraffic: {},
      nextStepAt: new Date(1_000_000 + 7_000).toISOString(),
      lastCheck: { ...evidence, verdict: 'pass', breaches: [] },
    },
    1_000_000,
  );
  expect(text).toContain('traffic   cycle-1 90%, cycle-2 10%');
  expect(text).toContain('next step in 7 s');
  expect(text).toMatch(/cycle-2\s+challenger\s+30\s+20\s+0\.0%\s+30\.0%\s+31 ms/);
  expect(text).toContain('synthetic 20 requests');
});

test('history shows a rollback with its evidence', () => {
  const record: CycleRecord = {
    cycle: 2,
    outcome: 'rolled-back',
    reason: 'rolled back at canary-10: cycle-2 serverErrorRate 0.3 > 0.01 over 30 requests (20 synthetic)',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    triggers: ['t'],
    datasetUri: 'x.csv',
    steps: [],
    rollout: {
      outcome: 'rolled-back',
      reason: 'x',
      champion: 'cycle-1',
      challenger: 'cycle-2',
      stages: [],
      syntheticRequests: 20,
      controls: [],
      evidence,
    },
  };
  const text = formatHistory([record]);
  expect(text).toContain('rolled back at canary-10: cycle-2 serverErrorRate 0.3 > 0.01');
  expect(text).toContain('cycle 2 rolled back at canary-10 on 2026-01-01T00:00:00.000Z:');
  expect(text).toContain('cycle-2 (challenger): 30 requests (20 synthetic), 4xx 0, 5xx 9, p95 31 ms');
});

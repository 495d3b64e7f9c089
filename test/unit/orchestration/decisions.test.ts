// The workflow's pure decisions: champion gate, overrides, request validation, resource names.
import { decideChampion } from '../../../src/workflows/champion';
import {
  applyOverrides,
  DEFAULT_SETTINGS,
  parseRetrainRequest,
  deploymentName,
  endpointName,
  jobName,
  type ModelRef,
} from '../../../src/contract';

const model = (metricValue: number, primaryMetric: ModelRef['primaryMetric'] = 'AUC_weighted'): ModelRef => ({
  name: 'm',
  version: '1',
  primaryMetric,
  metricValue,
});

describe('champion/challenger', () => {
  test('the first model is always deployed', () => {
    expect(decideChampion(model(0.5), undefined, 0.01).deploy).toBe(true);
  });
  test('a challenger must beat the champion by more than the margin', () => {
    expect(decideChampion(model(0.905), model(0.9), 0.01)).toMatchObject({ deploy: false });
    expect(decideChampion(model(0.911), model(0.9), 0.01)).toMatchObject({ deploy: true });
    expect(decideChampion(model(0.9), model(0.9), 0)).toMatchObject({ deploy: false });
  });
  test('for log_loss lower is better', () => {
    expect(decideChampion(model(0.2, 'log_loss'), model(0.3, 'log_loss'), 0.01).deploy).toBe(true);
    expect(decideChampion(model(0.35, 'log_loss'), model(0.3, 'log_loss'), 0.01).deploy).toBe(false);
  });
  test('the reason states both numbers', () => {
    expect(decideChampion(model(0.905), model(0.9), 0.01).reason).toBe(
      'challenger AUC_weighted 0.9050 vs champion 0.9000 (margin 0.01): champion kept',
    );
  });
});

test('overrides of later requests win, nested settings merge', () => {
  const settings = applyOverrides(DEFAULT_SETTINGS, [
    { overrides: { automl: { timeoutMinutes: 5 }, championMargin: 0.1 } },
    { overrides: { automl: { maxTrials: 3 } } },
  ]);
  expect(settings.automl).toMatchObject({
    timeoutMinutes: 5,
    maxTrials: 3,
    maxConcurrentTrials: DEFAULT_SETTINGS.automl.maxConcurrentTrials,
  });
  expect(settings.championMargin).toBe(0.1);
  expect(DEFAULT_SETTINGS.automl.timeoutMinutes).toBe(1);
});

test('a retrain request is validated field by field; unknown fields are refused', () => {
  expect(parseRetrainRequest({ requestId: 'a', reason: 'b', source: 'cli' })).toEqual({
    requestId: 'a',
    reason: 'b',
    source: 'cli',
  });
  expect(() => parseRetrainRequest({ requestId: 'a', reason: 'b', source: 'fax' })).toThrow(/source: /);
  expect(() =>
    parseRetrainRequest({ requestId: 'a', reason: 'b', source: 'cli', overrides: { automl: { maxTrials: 0 } } }),
  ).toThrow(/overrides\.automl\.maxTrials/);
  expect(() => parseRetrainRequest({ requestId: 'a', reason: 'b', source: 'cli', key: 'secret' })).toThrow(
    /Unrecognized key/,
  );
});

test('resource names are deterministic and within Azure limits', () => {
  expect(jobName('bankmarketing', 12)).toBe('bankmarketing-automl-c12');
  expect(endpointName('a-24-character-project-x').length).toBeLessThanOrEqual(32);
  expect(deploymentName(1000)).toBe('cycle-1000');
});

// The workflow's pure decisions: champion gate, overrides, request validation, resource names.
import { decideChampion, decideOnSlice, decideWithoutSlice } from '../../../src/workflows/champion';
import {
  applyOverrides,
  DEFAULT_SETTINGS,
  parseRetrainRequest,
  deploymentName,
  endpointName,
  jobName,
  type ModelEvaluation,
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

describe('champion/challenger on the test slice', () => {
  const evaluation = (challenger: number, champion?: number, metric: ModelRef['primaryMetric'] = 'AUC_weighted') => {
    const e: ModelEvaluation = {
      primaryMetric: metric,
      testRows: 6590,
      challenger: { deploymentName: 'cycle-2', metric: challenger },
    };
    if (champion === undefined) return e;
    const difference = metric === 'log_loss' ? champion - challenger : challenger - champion;
    const interval = { low: difference - 0.004, high: difference + 0.004, confidence: 0.95 };
    return { ...e, champion: { deploymentName: 'cycle-1', metric: champion }, difference, interval };
  };
  test('the first model is deployed, with its number on the slice', () => {
    expect(decideOnSlice(evaluation(0.93), 0.01)).toEqual({
      deploy: true,
      reason: 'first model: AUC_weighted 0.9300 on the 6590-row test slice',
    });
  });
  test('the difference on the slice must exceed the margin; the reason names both numbers and the interval', () => {
    expect(decideOnSlice(evaluation(0.93, 0.925), 0.01)).toEqual({
      deploy: false,
      reason:
        'challenger AUC_weighted 0.9300 vs champion 0.9250 on the 6590-row test slice, difference +0.0050' +
        ' (95% interval +0.0010 to +0.0090), margin 0.01: champion kept',
    });
    expect(decideOnSlice(evaluation(0.94, 0.925), 0.01)).toMatchObject({ deploy: true });
    expect(decideOnSlice(evaluation(0.94, 0.925), 0.01).reason).toMatch(/: challenger wins by 0\.0150$/);
  });
  test('the difference is an advantage: for log_loss a lower challenger wins', () => {
    expect(decideOnSlice(evaluation(0.2, 0.3, 'log_loss'), 0.01).deploy).toBe(true);
    expect(decideOnSlice(evaluation(0.3, 0.2, 'log_loss'), 0.01).deploy).toBe(false);
  });
  test('without a slice the validation metrics decide, and the reason says why', () => {
    const d = decideWithoutSlice('azureml:bank:3', model(0.905), model(0.9), 0.01);
    expect(d.deploy).toBe(false);
    expect(d.reason).toBe(
      'no test slice (azureml:bank:3 is a registered data asset, used as it is): validation metrics compared; ' +
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

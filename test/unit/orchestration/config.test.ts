// Configuration: defaults, flags over environment, and every bad value named at once.
import { resolve } from 'node:path';
import { ConfigError, loadConfig, normalizeDatasetUri } from '../../../src/config';

test('defaults run the demo project on the local dev server', () => {
  const config = loadConfig({});
  expect(config.project).toBe('bankmarketing');
  expect(config.temporal.address).toBeUndefined();
  expect(config.temporal.uiPort).toBe(8233);
  expect(config.datasetUri).toBe(resolve('data/bankmarketing_train.csv'));
  expect(config.settings.target).toBe('y');
  expect(config.settings.primaryMetric).toBe('AUC_weighted');
  expect(config.settings.testShare).toBe(0.2);
  expect(config.settings.optionalColumns).toEqual([]);
});

test('optional columns are a comma-separated list, from the environment or a flag', () => {
  expect(loadConfig({ AMLOPS_OPTIONAL_COLUMNS: ' score_hint, region ,' }).settings.optionalColumns).toEqual([
    'score_hint',
    'region',
  ]);
  expect(loadConfig({}, { optionalColumns: 'score_hint' }).settings.optionalColumns).toEqual(['score_hint']);
});

test('the test share comes from AMLOPS_TEST_SHARE or --test-share, a fraction between 0 and 1', () => {
  expect(loadConfig({ AMLOPS_TEST_SHARE: '0.3' }).settings.testShare).toBe(0.3);
  expect(loadConfig({ AMLOPS_TEST_SHARE: '0.3' }, { testShare: '0.1' }).settings.testShare).toBe(0.1);
  expect(() => loadConfig({ AMLOPS_TEST_SHARE: '1' })).toThrow(/AMLOPS_TEST_SHARE: must be a fraction between 0/);
  expect(() => loadConfig({ AMLOPS_TEST_SHARE: '0' })).toThrow(/AMLOPS_TEST_SHARE: must be a fraction between 0/);
});

test('flags win over the environment and are validated the same way', () => {
  const config = loadConfig(
    { AMLOPS_PROJECT: 'fromenv', AMLOPS_AUTOML_TIMEOUT_MINUTES: '5' },
    { project: 'fromflag', timeoutMinutes: '2', requireApproval: true, dataset: 'https://example.org/x.csv' },
  );
  expect(config.project).toBe('fromflag');
  expect(config.settings.automl.timeoutMinutes).toBe(2);
  expect(config.settings.requireApproval).toBe(true);
  expect(config.datasetUri).toBe('https://example.org/x.csv');
});

test('every bad value is reported at once, by name, with what is expected', () => {
  let error: unknown;
  try {
    loadConfig({
      TEMPORAL_ADDRESS: 'nohostport',
      TEMPORAL_PORT: 'abc',
      AMLOPS_PROJECT: 'X',
      AMLOPS_REQUIRE_APPROVAL: 'maybe',
      AMLOPS_PRIMARY_METRIC: 'auc',
    });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const name of [
    'TEMPORAL_ADDRESS: must be host:port',
    'TEMPORAL_PORT',
    'AMLOPS_PROJECT: must be 3-24',
    'AMLOPS_REQUIRE_APPROVAL',
    'AMLOPS_PRIMARY_METRIC',
  ]) {
    expect(message).toContain(name);
  }
});

test('local dataset paths become absolute; URIs are kept', () => {
  expect(normalizeDatasetUri('d.csv', '/srv')).toBe('/srv/d.csv');
  expect(normalizeDatasetUri('azureml:bank-data:3')).toBe('azureml:bank-data:3');
  expect(normalizeDatasetUri('https://a.blob.core.windows.net/c/d.csv')).toBe(
    'https://a.blob.core.windows.net/c/d.csv',
  );
});

test('a retrain schedule is an interval or a cron expression, not both', () => {
  expect(loadConfig({ AMLOPS_RETRAIN_EVERY: '7d' }).settings.retrainSchedule).toEqual({ every: '7d' });
  expect(loadConfig({ AMLOPS_RETRAIN_CRON: '0 3 * * 1' }).settings.retrainSchedule).toEqual({ cron: '0 3 * * 1' });
  expect(loadConfig({}).settings.retrainSchedule).toBeUndefined();
  expect(() => loadConfig({ AMLOPS_RETRAIN_EVERY: '7d', AMLOPS_RETRAIN_CRON: '0 3 * * 1' })).toThrow(
    /AMLOPS_RETRAIN_CRON: set AMLOPS_RETRAIN_EVERY or AMLOPS_RETRAIN_CRON, not both/,
  );
  expect(() => loadConfig({ AMLOPS_RETRAIN_EVERY: 'weekly' })).toThrow(/AMLOPS_RETRAIN_EVERY: must look like 30m/);
});

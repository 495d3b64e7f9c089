// The webhook process's environment: defaults, parsing, and every bad variable reported at once by name.
import { webhookConfigFromEnv } from '../../../src/webhooks';

const base = { AMLOPS_WEBHOOK_TOKEN: 'tok-secret-0123456789abcdef' };

test('defaults: port 8787, task queue amlops, loopback, 1 MiB, the shared project defaults', () => {
  const config = webhookConfigFromEnv(base);
  expect(config).toMatchObject({
    temporal: { address: 'localhost:7233', namespace: 'default', timeoutMs: 5000 },
    taskQueue: 'amlops',
    host: '127.0.0.1',
    port: 8787,
    bodyLimitBytes: 1048576,
    secrets: { token: base.AMLOPS_WEBHOOK_TOKEN },
    project: { project: 'bankmarketing' },
  });
  expect(config.eventGrid).toBeUndefined();
});

test('every variable is read', () => {
  const config = webhookConfigFromEnv({
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'ml',
    AMLOPS_TASK_QUEUE: 'q',
    AMLOPS_WEBHOOK_PORT: '9000',
    AMLOPS_WEBHOOK_HOST: '0.0.0.0',
    AMLOPS_GITHUB_SECRET: 'gh-secret-0123456789abcdef',
    AMLOPS_GITHUB_BRANCHES: 'main, release',
    AMLOPS_EVENTGRID_SECRET: 'eg-secret-0123456789abcdef',
    AMLOPS_EVENTGRID_CONTAINER: 'training',
    AMLOPS_EVENTGRID_PREFIX: 'bank/',
    AMLOPS_PROJECT: 'churn',
    AMLOPS_DATASET: 'https://acct.blob.core.windows.net/training/bank/a.csv',
    AMLOPS_WEBHOOK_BODY_LIMIT: '2048',
    AMLOPS_TEMPORAL_TIMEOUT_MS: '1500',
  });
  expect(config).toMatchObject({
    temporal: { address: 'temporal:7233', namespace: 'ml', timeoutMs: 1500 },
    taskQueue: 'q',
    host: '0.0.0.0',
    port: 9000,
    bodyLimitBytes: 2048,
    githubBranches: ['main', 'release'],
    eventGrid: { container: 'training', prefix: 'bank/' },
    project: { project: 'churn', datasetUri: 'https://acct.blob.core.windows.net/training/bank/a.csv' },
  });
});

test('every bad value is reported at once, by name, without echoing secrets', () => {
  let message = '';
  try {
    webhookConfigFromEnv({
      TEMPORAL_ADDRESS: 'no port',
      AMLOPS_WEBHOOK_PORT: 'eighty',
      AMLOPS_PROJECT: 'Bad_Name',
      AMLOPS_GITHUB_SECRET: 'hunter2',
      AMLOPS_EVENTGRID_SECRET: 'eg-secret-0123456789abcdef',
      AMLOPS_WEBHOOK_BODY_LIMIT: '-1',
    });
  } catch (err) {
    message = (err as Error).message;
  }
  for (const name of [
    'TEMPORAL_ADDRESS',
    'AMLOPS_WEBHOOK_PORT',
    'AMLOPS_PROJECT',
    'AMLOPS_GITHUB_SECRET',
    'AMLOPS_EVENTGRID_CONTAINER',
    'AMLOPS_WEBHOOK_BODY_LIMIT',
  ]) {
    expect(message).toMatch(new RegExp(`^${name}: `, 'm'));
  }
  expect(message).not.toContain('hunter2');
});

test('with no secret set, no webhook would be on: that is an error saying which variables to set', () => {
  expect(() => webhookConfigFromEnv({})).toThrow(/no webhook is enabled; set at least one of AMLOPS_GITHUB_SECRET/);
});

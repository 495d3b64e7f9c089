// Azure errors become Temporal failures in one place: what retries, what stops,
// and that no secret leaks into a message.
import { RestError } from '@azure/core-rest-pipeline';
import { ApplicationFailure } from '@temporalio/common';
import { azureFailure, lookup } from '../../../src/azureml';

const rest = (statusCode: number, code: string, message: string) => new RestError(message, { statusCode, code });

test.each([429, 500, 503])('HTTP %i is retryable', (status) => {
  const failure = azureFailure(rest(status, 'Throttled', 'slow down'), 'create compute cluster cpu');
  expect(failure.nonRetryable).toBe(false);
  expect(failure.message).toBe(`Could not create compute cluster cpu: HTTP ${status} Throttled: slow down`);
});

test('a network failure (no status) is retryable', () => {
  expect(azureFailure(new Error('connect ECONNREFUSED 127.0.0.1:8443'), 'read job j').nonRetryable).toBe(false);
});

test('400, 404 and 409 stop at once and say what to do', () => {
  const bad = azureFailure(
    rest(400, 'UserError', "vmSize 'Standard_BOGUS' is not supported."),
    'create compute cluster cpu',
    'Use a size the workspace offers.',
  );
  expect(bad.nonRetryable).toBe(true);
  expect(bad.type).toBe('Azure400');
  expect(bad.message).toBe(
    "Could not create compute cluster cpu: HTTP 400 UserError: vmSize 'Standard_BOGUS' is not supported. Use a size the workspace offers.",
  );
  expect(azureFailure(rest(409, 'Conflict', 'exists with another spec'), 'create job j').nonRetryable).toBe(true);
  expect(azureFailure(rest(404, 'ResourceNotFound', 'no such'), 'read model m').message).toContain(
    'Check the workspace and resource names.',
  );
});

test('auth failures name the identity and its role', () => {
  const denied = azureFailure(
    rest(403, 'AuthorizationFailed', 'The client does not have authorization'),
    'read workspace w',
  );
  expect(denied.nonRetryable).toBe(true);
  expect(denied.message).toContain('role on the workspace');
});

test('keys and tokens echoed by a service are masked', () => {
  const failure = azureFailure(
    rest(
      400,
      'BadRequest',
      'Authorization: Bearer eyJhbGciOi.abc.def was rejected; "primaryKey": "s3cr3tKEY" ; token=abc123',
    ),
    'call endpoint',
  );
  expect(failure.message).not.toMatch(/eyJhbGciOi|s3cr3tKEY|abc123/);
  expect(failure.message).toContain('Bearer ***');
});

test('an ApplicationFailure passes through unchanged', () => {
  const original = ApplicationFailure.nonRetryable('already translated', 'InvalidDataset');
  expect(azureFailure(original, 'x')).toBe(original);
});

test('lookup turns 404 into undefined and other errors into failures', async () => {
  await expect(lookup('read job j', () => Promise.reject(rest(404, 'NotFound', 'no')))).resolves.toBeUndefined();
  await expect(lookup('read job j', () => Promise.resolve(7))).resolves.toBe(7);
  await expect(
    lookup('read job j', () => Promise.reject(rest(401, 'Unauthorized', 'token expired'))),
  ).rejects.toMatchObject({ nonRetryable: true });
});

// The generic retrain webhook: bearer token, request id from body / Idempotency-Key / generated,
// shared schema validation.
import { harness, SECRETS, type Harness } from './harness';

const post = (
  h: Harness,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${SECRETS.token}` },
) =>
  h.inject({
    method: 'POST',
    url: '/hooks/retrain/demo',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

test('missing, malformed and wrong tokens are 401; the right one is 202', async () => {
  const h = await harness();
  for (const headers of [
    {} as Record<string, string>,
    { authorization: SECRETS.token },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'Bearer tok-secret-0123456789abcdeX' },
    { authorization: 'Bearer short' },
  ]) {
    const res = await post(h, { reason: 'x' }, headers);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: 'unauthorized',
      message: 'missing or wrong token; send Authorization: Bearer <token>',
    });
  }
  expect(h.sent).toHaveLength(0);
  const ok = await post(h, { reason: 'nightly CI', requestId: 'ci-42' });
  expect(ok.statusCode).toBe(202);
  expect(ok.json()).toEqual({ accepted: true, requestId: 'ci-42', workflowId: 'amlops-demo' });
});

test('the request carries reason, dataset and overrides; source is always webhook', async () => {
  const h = await harness();
  await post(h, {
    requestId: 'r1',
    reason: 'new labels',
    datasetUri: 'https://x/y.csv',
    overrides: { championMargin: 0.01, automl: { maxTrials: 5 } },
  });
  expect(h.requests()).toEqual([
    {
      requestId: 'r1',
      reason: 'new labels',
      source: 'webhook',
      datasetUri: 'https://x/y.csv',
      overrides: { championMargin: 0.01, automl: { maxTrials: 5 } },
    },
  ]);
});

test('the request id comes from the body, else Idempotency-Key, else is generated', async () => {
  const h = await harness();
  const auth = { authorization: `Bearer ${SECRETS.token}` };
  await post(h, { requestId: 'from-body' }, { ...auth, 'idempotency-key': 'from-header' });
  await post(h, {}, { ...auth, 'idempotency-key': 'from-header' });
  const empty = await post(h, undefined);
  expect(empty.statusCode).toBe(202);
  const ids = h.requests().map((r) => r.requestId);
  expect(ids.slice(0, 2)).toEqual(['from-body', 'from-header']);
  expect(ids[2]).toMatch(/^webhook:[0-9a-f-]{36}$/);
  expect(h.requests()[2]?.reason).toBe('retrain requested by webhook');
  const badKey = await post(h, {}, { ...auth, 'idempotency-key': 'has spaces in it' });
  expect(badKey.statusCode).toBe(400);
  expect(badKey.json().message).toContain('Idempotency-Key');
});

test('invalid fields are a 400 naming each, and nothing is triggered', async () => {
  const h = await harness();
  const res = await post(h, { reason: '', source: 'cli', overrides: { championMargin: -1, automl: { maxTrials: 0 } } });
  expect(res.statusCode).toBe(400);
  const { message } = res.json();
  expect(message).toMatch(/^invalid retrain body: /);
  for (const field of ['reason', 'overrides.championMargin', 'overrides.automl.maxTrials', 'source'])
    expect(message).toContain(field);
  expect((await post(h, [1, 2])).statusCode).toBe(400);
  expect(h.sent).toHaveLength(0);
});

test('without a token configured the route is off (404)', async () => {
  const h = await harness({ secrets: { github: SECRETS.github } });
  const res = await post(h, {});
  expect(res.statusCode).toBe(404);
  expect(res.json().message).toContain('AMLOPS_WEBHOOK_TOKEN');
});

// GitHub push webhooks: signature checks over the raw body, ping, branch filter, and the retrain signal they send.
import { operationalize } from '../../../src/workflows';
import { retrainSignal } from '../../../src/contract';
import { githubSignature } from '../../../src/webhooks';
import { harness, PROJECT, SECRETS, type Harness } from './harness';

const push = (extra: Record<string, unknown> = {}) => ({
  ref: 'refs/heads/main',
  before: '1111111111111111111111111111111111111111',
  after: 'abc1234def5678abc1234def5678abc1234def56',
  pusher: { name: 'alice', email: 'a@example.com' },
  sender: { login: 'alice' },
  repository: { full_name: 'org/repo' },
  ...extra,
});

function deliver(
  h: Harness,
  opts: {
    body?: unknown;
    raw?: string;
    event?: string;
    delivery?: string;
    signature?: string | null;
    project?: string;
  } = {},
) {
  const raw = opts.raw ?? JSON.stringify(opts.body ?? push());
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': opts.event ?? 'push',
    'x-github-delivery': opts.delivery ?? '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  };
  const signature = opts.signature === undefined ? githubSignature(SECRETS.github, raw) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return h.inject({ method: 'POST', url: `/hooks/github/${opts.project ?? 'demo'}`, headers, payload: raw });
}

test('a signed push becomes a retrain signal-with-start keyed by the delivery id', async () => {
  const h = await harness();
  const res = await deliver(h);
  expect(res.statusCode).toBe(202);
  expect(res.json()).toEqual({
    accepted: true,
    requestId: 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958',
    workflowId: 'amlops-demo',
  });
  expect(h.sent).toHaveLength(1);
  const [{ workflowType, options }] = h.sent;
  // The webhook server names the workflow type without importing workflow code.
  expect(workflowType).toBe(operationalize.name);
  expect(options).toMatchObject({
    workflowId: 'amlops-demo',
    taskQueue: 'tq-test',
    args: [PROJECT],
    signal: retrainSignal,
  });
  expect(options.signalArgs).toEqual([
    {
      requestId: 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958',
      reason: 'push to refs/heads/main by alice (abc1234)',
      source: 'github',
    },
  ]);
});

test(
  'the signature is checked over the raw bytes,' + ' so re-serialised JSON with the same meaning still verifies',
  async () => {
    const h = await harness();
    const raw = `{ "ref" : "refs/heads/main",\n  "after": "abc1234def5678", "pusher": {"name": "bob"} }`;
    const res = await deliver(h, { raw });
    expect(res.statusCode).toBe(202);
    expect(h.requests()[0]?.reason).toBe('push to refs/heads/main by bob (abc1234)');
  },
);

test.each([
  ['missing', null, /header is missing/],
  ['signed with another secret', githubSignature('not-the-secret-at-all', JSON.stringify(push())), /does not match/],
  ['too short', 'sha256=abcd', /not of the form/],
  ['too long', `${githubSignature(SECRETS.github, JSON.stringify(push()))}00`, /not of the form/],
  ['sha1 form', 'sha1=0123456789012345678901234567890123456789', /not of the form/],
  ['not hex', `sha256=${'z'.repeat(64)}`, /not of the form/],
])('a %s signature is refused with 401 and nothing is triggered', async (_what, signature, message) => {
  const h = await harness();
  const res = await deliver(h, { signature });
  expect(res.statusCode).toBe(401);
  expect(res.json()).toEqual({ error: 'unauthorized', message: expect.stringMatching(message) });
  expect(h.sent).toHaveLength(0);
  // The server keeps serving.
  expect((await deliver(h)).statusCode).toBe(202);
});

test('a body changed after signing is refused', async () => {
  const h = await harness();
  const signature = githubSignature(SECRETS.github, JSON.stringify(push()));
  const res = await deliver(h, { body: push({ ref: 'refs/heads/evil' }), signature });
  expect(res.statusCode).toBe(401);
  expect(h.sent).toHaveLength(0);
});

test('ping answers 200 and triggers nothing', async () => {
  const h = await harness();
  const res = await deliver(h, { event: 'ping', body: { zen: 'Keep it logically awesome.', hook_id: 1 } });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ ok: true, message: expect.stringContaining('demo') });
  expect(h.sent).toHaveLength(0);
});

test('other events and deleted branches are acknowledged and ignored with the reason', async () => {
  const h = await harness();
  const issues = await deliver(h, { event: 'issues', body: { action: 'opened' } });
  expect(issues.statusCode).toBe(202);
  expect(issues.json()).toEqual({
    accepted: false,
    ignored: expect.stringContaining('"issues" events do not trigger'),
  });
  const deleted = await deliver(h, { body: push({ deleted: true, after: '0'.repeat(40) }) });
  expect(deleted.statusCode).toBe(202);
  expect(deleted.json().ignored).toContain('was deleted');
  expect(h.sent).toHaveLength(0);
});

test('with a branch list, pushes to other branches are ignored', async () => {
  const h = await harness({ githubBranches: ['main', 'release'] });
  const dev = await deliver(h, { body: push({ ref: 'refs/heads/dev' }) });
  expect(dev.statusCode).toBe(202);
  expect(dev.json()).toEqual({
    accepted: false,
    ignored: 'pushes to refs/heads/dev do not trigger retraining (branches: refs/heads/main, refs/heads/release)',
  });
  const tag = await deliver(h, { body: push({ ref: 'refs/tags/main' }) });
  expect(tag.json().accepted).toBe(false);
  const release = await deliver(h, { body: push({ ref: 'refs/heads/release' }) });
  expect(release.statusCode).toBe(202);
  expect(release.json().accepted).toBe(true);
  expect(h.sent).toHaveLength(1);
});

test('a push body without the fields a retrain needs is a 400 naming them', async () => {
  const h = await harness();
  const res = await deliver(h, { body: { after: 42 } });
  expect(res.statusCode).toBe(400);
  expect(res.json().message).toMatch(/invalid GitHub push event: ref: .*; after: /);
});

test('missing delivery id or event header is a 400 saying which', async () => {
  const h = await harness();
  const raw = JSON.stringify(push());
  const base = { 'content-type': 'application/json', 'x-hub-signature-256': githubSignature(SECRETS.github, raw) };
  const noDelivery = await h.inject({
    method: 'POST',
    url: '/hooks/github/demo',
    headers: { ...base, 'x-github-event': 'push' },
    payload: raw,
  });
  expect(noDelivery.statusCode).toBe(400);
  expect(noDelivery.json().message).toContain('X-GitHub-Delivery');
  const noEvent = await h.inject({
    method: 'POST',
    url: '/hooks/github/demo',
    headers: { ...base, 'x-github-delivery': 'd1' },
    payload: raw,
  });
  expect(noEvent.statusCode).toBe(400);
  expect(noEvent.json().message).toContain('X-GitHub-Event');
});

test('an unknown project is a 404 and a malformed name a 400', async () => {
  const h = await harness();
  const unknown = await deliver(h, { project: 'nosuchproject' });
  expect(unknown.statusCode).toBe(404);
  expect(unknown.json()).toEqual({
    error: 'not_found',
    message: expect.stringContaining('project "nosuchproject" is not configured'),
  });
  const bad = await deliver(h, { project: 'Bad_Name' });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().message).toMatch(/^project: must be 3-24 characters/);
  expect(h.sent).toHaveLength(0);
});

test('without a GitHub secret the route is off (404) and says how to turn it on', async () => {
  const h = await harness({ secrets: { token: SECRETS.token } });
  const res = await deliver(h);
  expect(res.statusCode).toBe(404);
  expect(res.json().message).toContain('AMLOPS_GITHUB_SECRET');
});

test('redelivery sends the same request id again (the workflow records it once)', async () => {
  const h = await harness();
  await deliver(h, { delivery: 'same-1' });
  await deliver(h, { delivery: 'same-1' });
  expect(h.requests().map((r) => r.requestId)).toEqual(['github:same-1', 'github:same-1']);
});

// The webhook server as a whole: one error shape, 400/413/415, Temporal failures,
// recovery after every bad request, clean logs.
import { githubSignature } from '../../../src/webhooks';
import { grpcError, harness, SECRETS, type Harness } from './harness';

const auth = { authorization: `Bearer ${SECRETS.token}` };
const good = (h: Harness) =>
  h.inject({
    method: 'POST',
    url: '/hooks/retrain/demo',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"reason":"ok"}',
  });

test('every bad request gets its status and {error, message}, and the next request still succeeds', async () => {
  const h = await harness({ bodyLimitBytes: 2048 });
  const cases: [string, () => ReturnType<Harness['inject']>, number, string][] = [
    [
      'oversized',
      () =>
        h.inject({
          method: 'POST',
          url: '/hooks/retrain/demo',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: JSON.stringify({ reason: 'x'.repeat(5000) }),
        }),
      413,
      'payload_too_large',
    ],
    [
      'text/plain',
      () =>
        h.inject({
          method: 'POST',
          url: '/hooks/retrain/demo',
          headers: { ...auth, 'content-type': 'text/plain' },
          payload: 'retrain please',
        }),
      415,
      'unsupported_media_type',
    ],
    [
      'form-encoded GitHub',
      () =>
        h.inject({
          method: 'POST',
          url: '/hooks/github/demo',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-github-event': 'push',
            'x-github-delivery': 'd',
            'x-hub-signature-256': githubSignature(SECRETS.github, 'payload=%7B%7D'),
          },
          payload: 'payload=%7B%7D',
        }),
      415,
      'unsupported_media_type',
    ],
    [
      'malformed JSON',
      () =>
        h.inject({
          method: 'POST',
          url: '/hooks/retrain/demo',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: '{"reason":',
        }),
      400,
      'bad_request',
    ],
    ['unknown route', () => h.inject({ method: 'POST', url: '/hooks/gitlab/demo' }), 404, 'not_found'],
    ['wrong method', () => h.inject({ method: 'GET', url: '/hooks/retrain/demo' }), 404, 'not_found'],
  ];
  for (const [what, send, status, error] of cases) {
    const res = await send();
    expect({ what, status: res.statusCode }).toEqual({ what, status });
    const body = res.json();
    expect(body).toEqual({ error, message: expect.any(String) });
    expect(body.message).not.toMatch(/\n\s+at /); // never a stack trace
    expect((await good(h)).statusCode).toBe(202);
  }
  const tooBig = await h.inject({
    method: 'POST',
    url: '/hooks/retrain/demo',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: 'x'.repeat(4096),
  });
  expect(tooBig.json().message).toContain('larger than 2048 bytes');
});

test('healthz reports which hooks are on', async () => {
  const h = await harness({ secrets: { github: SECRETS.github } });
  const res = await h.inject({ method: 'GET', url: '/healthz' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ ok: true, hooks: { github: true, eventgrid: false, retrain: false } });
});

test('Temporal unreachable is a 503 with Retry-After; the sender is told to redeliver', async () => {
  const h = await harness({}, async () => {
    throw grpcError(14, '14 UNAVAILABLE: No connection established');
  });
  const res = await good(h);
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json()).toEqual({
    error: 'temporal_unavailable',
    message: expect.stringMatching(/Temporal is unreachable.*redeliver/),
  });
});

test('a Temporal call that hangs is answered 503 at the deadline, not left waiting', async () => {
  // Like a real client whose gRPC deadline is noticed late (at its next retry): the call ends well after the deadline.
  const late = () =>
    new Promise<void>((_, reject) =>
      setTimeout(() => reject(grpcError(4, '4 DEADLINE_EXCEEDED: Deadline exceeded')), 1000),
    );
  const h = await harness({ temporalTimeoutMs: 200 }, late);
  const started = Date.now();
  const res = await good(h);
  expect(Date.now() - started).toBeLessThan(900);
  expect(res.statusCode).toBe(503);
  expect(res.json().message).toContain('did not answer within 200 ms');
});

test('Temporal refusing (e.g. unknown namespace) is a 502 with its words; a bug of ours is a 500 without a stack', async () => {
  let fail: () => never = () => {
    throw grpcError(5, '5 NOT_FOUND: Namespace nope is not found.');
  };
  const h = await harness({}, async () => fail());
  const refused = await good(h);
  expect(refused.statusCode).toBe(502);
  expect(refused.json()).toEqual({
    error: 'temporal_refused',
    message: expect.stringContaining('Namespace nope is not found'),
  });
  fail = () => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  };
  const bug = await good(h);
  expect(bug.statusCode).toBe(500);
  expect(bug.json()).toEqual({ error: 'internal', message: expect.stringContaining('redeliver') });
  expect(bug.body).not.toContain('TypeError');
});

test('secrets, signatures, query strings and bodies never reach the log', async () => {
  const h = await harness({ bodyLimitBytes: 4096 });
  const marker = 'BODY-MARKER-7f3a';
  const raw = JSON.stringify({ ref: 'refs/heads/main', after: 'abcdef1234', pusher: { name: marker } });
  const signature = githubSignature(SECRETS.github, raw);
  const gh = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-log' };
  await h.inject({
    method: 'POST',
    url: '/hooks/github/demo',
    headers: { ...gh, 'x-hub-signature-256': signature },
    payload: raw,
  });
  await h.inject({
    method: 'POST',
    url: '/hooks/github/demo',
    headers: { ...gh, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
    payload: raw,
  });
  await h.inject({
    method: 'POST',
    url: `/hooks/eventgrid/demo?code=${SECRETS.eventGrid}`,
    headers: { 'content-type': 'application/json' },
    payload: `[{"bad":"${marker}"}]`,
  });
  await h.inject({
    method: 'POST',
    url: `/hooks/eventgrid/demo?code=${SECRETS.eventGrid}x`,
    headers: { 'content-type': 'application/json' },
    payload: '[]',
  });
  await h.inject({
    method: 'POST',
    url: '/hooks/retrain/demo',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: JSON.stringify({ reason: marker }),
  });
  await h.inject({
    method: 'POST',
    url: '/hooks/retrain/demo',
    headers: { authorization: `Bearer ${SECRETS.token}-wrong` },
    payload: '',
  });
  await h.inject({
    method: 'POST',
    url: '/hooks/retrain/demo',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: `{"x":"${marker}${'y'.repeat(5000)}"}`,
  });
  await h.inject({ method: 'POST', url: `/nowhere?code=${SECRETS.eventGrid}`, headers: auth });

  const text = h.logs.join('');
  expect(h.logs.length).toBeGreaterThan(8);
  for (const secret of [...Object.values(SECRETS), signature.slice(7, 30), marker]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/code=eg-/);
  // What the log does say: one line per request, by path and status.
  const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.filter((l) => l.msg === 'request').map((l) => [l.path, l.status])).toEqual([
    ['/hooks/github/demo', 202],
    ['/hooks/github/demo', 401],
    ['/hooks/eventgrid/demo', 400],
    ['/hooks/eventgrid/demo', 401],
    ['/hooks/retrain/demo', 202],
    ['/hooks/retrain/demo', 401],
    ['/hooks/retrain/demo', 413],
    ['/nowhere', 404],
  ]);
  expect(lines.every((l) => l.level === 30)).toBe(true);
});

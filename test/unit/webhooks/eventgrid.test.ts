// Azure Event Grid webhooks: both validation handshakes, the shared secret, and which BlobCreated events trigger.
import { BLOB_CREATED, VALIDATION_EVENT } from '../../../src/webhooks';
import { harness, SECRETS, type Harness } from './harness';

const ACCOUNT = 'https://acct.blob.core.windows.net';

function gridBlob(id: string, container: string, path: string, type = BLOB_CREATED) {
  return {
    id,
    topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct',
    subject: `/blobServices/default/containers/${container}/blobs/${path}`,
    eventType: type,
    eventTime: '2026-11-25T01:02:03Z',
    data: {
      api: 'PutBlob',
      contentType: 'text/csv',
      contentLength: 1234,
      blobType: 'BlockBlob',
      url: `${ACCOUNT}/${container}/${path}`,
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}

function cloudBlob(id: string, container: string, path: string) {
  return {
    specversion: '1.0',
    id,
    type: BLOB_CREATED,
    source: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct',
    subject: `/blobServices/default/containers/${container}/blobs/${path}`,
    time: '2026-11-25T01:02:03Z',
    data: { api: 'PutBlob', url: `${ACCOUNT}/${container}/${path}` },
  };
}

const post = (
  h: Harness,
  body: unknown,
  opts: { code?: string | null; auth?: string; contentType?: string; project?: string } = {},
) => {
  const code = opts.code === undefined ? SECRETS.eventGrid : opts.code;
  const query = code === null ? '' : `?code=${encodeURIComponent(code)}`;
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/json',
    'aeg-event-type': 'Notification',
  };
  if (opts.auth) headers.authorization = opts.auth;
  return h.inject({
    method: 'POST',
    url: `/hooks/eventgrid/${opts.project ?? 'demo'}${query}`,
    headers,
    payload: JSON.stringify(body),
  });
};

test('Event Grid schema: the subscription validation event is answered with its code', async () => {
  const h = await harness();
  const validation = [
    {
      id: '2d1781af-3a4c-4d7c-bd0c-e34b19da4e66',
      topic: '/subscriptions/s',
      subject: '',
      data: {
        validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
        validationUrl: 'https://rp-eastus2.eventgrid.azure.net/...',
      },
      eventType: VALIDATION_EVENT,
      eventTime: '2026-11-25T01:02:03Z',
      metadataVersion: '1',
      dataVersion: '1',
    },
  ];
  const res = await post(h, validation);
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
  expect(h.sent).toHaveLength(0);
  // Without the secret even the handshake is refused, so nobody can subscribe a foreign topic to this project.
  expect((await post(h, validation, { code: null })).statusCode).toBe(401);
});

test('CloudEvents: the OPTIONS handshake echoes WebHook-Request-Origin', async () => {
  const h = await harness();
  const res = await h.inject({
    method: 'OPTIONS',
    url: `/hooks/eventgrid/demo?code=${SECRETS.eventGrid}`,
    headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['webhook-allowed-origin']).toBe('eventgrid.azure.net');
  const noOrigin = await h.inject({ method: 'OPTIONS', url: `/hooks/eventgrid/demo?code=${SECRETS.eventGrid}` });
  expect(noOrigin.statusCode).toBe(400);
  expect(noOrigin.json().message).toContain('WebHook-Request-Origin');
  const noSecret = await h.inject({
    method: 'OPTIONS',
    url: '/hooks/eventgrid/demo',
    headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
  });
  expect(noSecret.statusCode).toBe(401);
  const unknown = await h.inject({
    method: 'OPTIONS',
    url: `/hooks/eventgrid/nosuchproject?code=${SECRETS.eventGrid}`,
    headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
  });
  expect(unknown.statusCode).toBe(404);
});

test('a BlobCreated event under the configured container and prefix triggers with the blob URL as dataset', async () => {
  const h = await harness();
  const res = await post(h, [gridBlob('ev-1', 'training', 'bank/2026-11.csv')]);
  expect(res.statusCode).toBe(202);
  expect(res.json()).toEqual({
    accepted: true,
    requestIds: ['eventgrid:ev-1'],
    workflowId: 'amlops-demo',
    ignored: [],
  });
  expect(h.requests()).toEqual([
    {
      requestId: 'eventgrid:ev-1',
      reason: 'new blob bank/2026-11.csv in container training',
      source: 'eventgrid',
      datasetUri: `${ACCOUNT}/training/bank/2026-11.csv`,
    },
  ]);
});

test('blobs in another container, outside the prefix, or other event types are acknowledged (200) and ignored with the reason', async () => {
  const h = await harness();
  const res = await post(h, [
    gridBlob('a', 'other', 'bank/x.csv'),
    gridBlob('b', 'training', 'scratch/x.csv'),
    gridBlob('c', 'training', 'bank/x.csv', 'Microsoft.Storage.BlobDeleted'),
  ]);
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({
    accepted: false,
    ignored: [
      { id: 'a', type: BLOB_CREATED, reason: 'blob is in container "other", not "training"' },
      { id: 'b', type: BLOB_CREATED, reason: 'blob "scratch/x.csv" is not under prefix "bank/"' },
      { id: 'c', type: 'Microsoft.Storage.BlobDeleted', reason: expect.stringContaining('do not trigger retraining') },
    ],
  });
  expect(h.sent).toHaveLength(0);
});

test('a mixed batch triggers the matching blobs and lists the rest', async () => {
  const h = await harness();
  const res = await post(h, [
    gridBlob('m1', 'training', 'bank/1.csv'),
    gridBlob('m2', 'other', 'bank/2.csv'),
    gridBlob('m3', 'training', 'bank/3.csv'),
  ]);
  expect(res.statusCode).toBe(202);
  expect(res.json()).toMatchObject({
    accepted: true,
    requestIds: ['eventgrid:m1', 'eventgrid:m3'],
    ignored: [{ id: 'm2' }],
  });
  expect(h.requests().map((r) => r.datasetUri)).toEqual([
    `${ACCOUNT}/training/bank/1.csv`,
    `${ACCOUNT}/training/bank/3.csv`,
  ]);
});

test('CloudEvents 1.0, single and batch, trigger the same way', async () => {
  const h = await harness();
  const single = await post(h, cloudBlob('ce-1', 'training', 'bank/a.csv'), {
    contentType: 'application/cloudevents+json; charset=utf-8',
  });
  expect(single.statusCode).toBe(202);
  const batch = await post(
    h,
    [cloudBlob('ce-2', 'training', 'bank/b.csv'), cloudBlob('ce-3', 'training', 'elsewhere/c.csv')],
    {
      contentType: 'application/cloudevents-batch+json',
    },
  );
  expect(batch.statusCode).toBe(202);
  expect(batch.json()).toMatchObject({ requestIds: ['eventgrid:ce-2'], ignored: [{ id: 'ce-3' }] });
  expect(h.requests().map((r) => [r.requestId, r.datasetUri])).toEqual([
    ['eventgrid:ce-1', `${ACCOUNT}/training/bank/a.csv`],
    ['eventgrid:ce-2', `${ACCOUNT}/training/bank/b.csv`],
  ]);
});

test('the secret may come as a bearer token instead of ?code=; a wrong or missing one is 401', async () => {
  const h = await harness();
  const body = [gridBlob('s1', 'training', 'bank/1.csv')];
  expect((await post(h, body, { code: null, auth: `Bearer ${SECRETS.eventGrid}` })).statusCode).toBe(202);
  const wrong = await post(h, body, { code: 'eg-secret-0123456789abcdeX' });
  expect(wrong.statusCode).toBe(401);
  expect(wrong.json().message).toContain('?code=');
  expect((await post(h, body, { code: null })).statusCode).toBe(401);
  expect(h.sent).toHaveLength(1);
});

test('bodies that are not Event Grid deliveries are 400 with the reason', async () => {
  const h = await harness();
  const notArray = await post(h, { hello: 'world' });
  expect(notArray.statusCode).toBe(400);
  expect(notArray.json().message).toContain('JSON array of events');
  const noId = await post(h, [{ ...gridBlob('x', 'training', 'bank/x.csv'), id: undefined }]);
  expect(noId.statusCode).toBe(400);
  expect(noId.json().message).toMatch(/^invalid Event Grid events: 0\.id: /);
  const noUrl = await post(h, [{ ...gridBlob('y', 'training', 'bank/y.csv'), data: { api: 'PutBlob' } }]);
  expect(noUrl.statusCode).toBe(400);
  expect(noUrl.json().message).toContain('data of BlobCreated event y: url');
  expect((await post(h, [])).statusCode).toBe(400);
  expect(h.sent).toHaveLength(0);
});

test('without an Event Grid secret the route is off (404)', async () => {
  const h = await harness({ secrets: { github: SECRETS.github } });
  const res = await post(h, [gridBlob('z', 'training', 'bank/z.csv')]);
  expect(res.statusCode).toBe(404);
  expect(res.json().message).toContain('AMLOPS_EVENTGRID_SECRET');
});

test('an Event Grid secret without a container to watch is refused when the server is built', async () => {
  await expect(harness({ eventGrid: undefined })).rejects.toThrow(/need a container/);
});

// Webhooks against a real Temporal dev server: redelivery dedup, signal-with-start of an idle project, blob URL as
// dataset, Temporal down.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { githubSignature, startWebhookServer, type WebhookServer } from '../../src/webhooks';
import {
  historyQuery,
  statusQuery,
  triggersQuery,
  projectWorkflowId,
  type ProjectInput,
  type ProjectStatus,
} from '../../src/contract';
import { liveStatus, type LiveStatus } from '../../src/starters/live-status';
import { fakeActivities, gate } from '../helpers/fake-activities';
import { bundleWorkflows, FAST_ROLLOUT_SETTINGS, startTestServer } from '../helpers/temporal';

const SECRETS = {
  github: 'gh-secret-0123456789abcdef',
  eventGrid: 'eg-secret-0123456789abcdef',
  token: 'tok-secret-0123456789abcdef',
};

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
}, 120000);
afterAll(async () => {
  await env?.teardown();
});

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read().catch(() => undefined);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

function pushDelivery(url: string, delivery: string, sha: string) {
  const raw = JSON.stringify({
    ref: 'refs/heads/main',
    after: sha,
    pusher: { name: 'alice' },
    repository: { full_name: 'org/repo' },
  });
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': githubSignature(SECRETS.github, raw),
    },
    body: raw,
  });
}

test(
  'a push redelivered 3 times starts an idle project once and is recorded once;' +
    " a new blob becomes the next cycle's dataset",
  async () => {
    const taskQueue = `webhooks-${randomUUID()}`;
    const name = `p${randomUUID().slice(0, 8)}`;
    const project: ProjectInput = { project: name, datasetUri: 'data/original.csv', settings: FAST_ROLLOUT_SETTINGS };
    const held = gate();
    let waits = 0;
    const server: WebhookServer = await startWebhookServer({
      client: env.client,
      taskQueue,
      projects: (n) => (n === name ? project : undefined),
      secrets: SECRETS,
      eventGrid: { container: 'training', prefix: 'bank/' },
      port: 0,
      logLevel: 'warn',
    });
    const { activities, calls } = fakeActivities({
      hold: { waitForAutoML: () => (++waits === 1 ? held.wait() : Promise.resolve()) },
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    const handle = env.client.workflow.getHandle(projectWorkflowId(name));
    try {
      await worker.runUntil(async () => {
        // Not running yet: the first delivery must start it.
        await expect(handle.describe()).rejects.toThrow();

        const delivery = randomUUID();
        const replies = [];
        for (let i = 0; i < 3; i++)
          replies.push(await pushDelivery(`${server.url}/hooks/github/${name}`, delivery, 'abc1234def5678'));
        for (const reply of replies) {
          expect(reply.status).toBe(202);
          expect(await reply.json()).toEqual({
            accepted: true,
            requestId: `github:${delivery}`,
            workflowId: projectWorkflowId(name),
          });
        }
        expect((await handle.describe()).status.name).toBe('RUNNING');

        const held1 = await until(
          () => liveStatus(env.client, name),
          (s: LiveStatus) => s.step === 'waitForAutoML',
          'cycle 1 held at the AutoML wait',
        );
        expect(held1.cycle).toBe(1);
        const triggers = await handle.query(triggersQuery);
        expect(triggers.filter((t) => t.source === 'github')).toEqual([
          expect.objectContaining({
            requestId: `github:${delivery}`,
            reason: 'push to refs/heads/main by alice (abc1234)',
            cycle: 1,
          }),
        ]);
        expect(held1.triggersRecorded).toBe(2); // the start trigger and the push, once

        // A new blob while cycle 1 runs: recorded for cycle 2, whose dataset it becomes.
        const blobUrl = 'https://acct.blob.core.windows.net/training/bank/2026-11.csv';
        const event = [
          {
            id: `ev-${randomUUID()}`,
            topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct',
            subject: '/blobServices/default/containers/training/blobs/bank/2026-11.csv',
            eventType: 'Microsoft.Storage.BlobCreated',
            eventTime: new Date().toISOString(),
            data: { api: 'PutBlob', url: blobUrl },
            dataVersion: '',
            metadataVersion: '1',
          },
        ];
        for (let i = 0; i < 2; i++) {
          const blob = await fetch(`${server.url}/hooks/eventgrid/${name}?code=${SECRETS.eventGrid}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
            body: JSON.stringify(event),
          });
          expect(blob.status).toBe(202);
        }
        expect((await handle.query(statusQuery)).pendingTriggers).toBe(1);

        held.open();
        const done = await until(
          () => handle.query(statusQuery),
          (s: ProjectStatus) => s.state === 'idle' && s.cyclesCompleted >= 2,
          'cycle 2',
        );
        expect(done.triggersRecorded).toBe(3);
        const history = await handle.query(historyQuery);
        expect(history.map((h) => h.datasetUri)).toEqual([expect.stringContaining('original.csv'), blobUrl]);
        expect(calls.filter((c) => c.name === 'uploadDataset').map((c) => c.input.datasetUri)).toEqual([
          'data/original.csv',
          blobUrl,
        ]);
      });
    } finally {
      await server.close();
      await handle.terminate('test done').catch(() => undefined);
    }
  },
);

test('the generic hook reaches a running project; the same Idempotency-Key twice is one trigger', async () => {
  const taskQueue = `webhooks-${randomUUID()}`;
  const name = `p${randomUUID().slice(0, 8)}`;
  const project: ProjectInput = { project: name, datasetUri: 'data/original.csv', settings: FAST_ROLLOUT_SETTINGS };
  const server = await startWebhookServer({
    client: env.client,
    taskQueue,
    projects: (n) => (n === name ? project : undefined),
    secrets: { token: SECRETS.token },
    port: 0,
    logLevel: 'warn',
  });
  const { activities } = fakeActivities();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  const handle = env.client.workflow.getHandle(projectWorkflowId(name));
  try {
    await worker.runUntil(async () => {
      const send = () =>
        fetch(`${server.url}/hooks/retrain/${name}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${SECRETS.token}`,
            'content-type': 'application/json',
            'idempotency-key': 'ci-run-77',
          },
          body: JSON.stringify({ reason: 'CI finished labelling', overrides: { championMargin: 0.05 } }),
        });
      expect((await send()).status).toBe(202);
      expect((await send()).status).toBe(202);
      const status = await until(
        () => handle.query(statusQuery),
        (s: ProjectStatus) => s.state === 'idle' && s.cyclesCompleted >= 1,
        'cycle 1',
      );
      expect(status.triggersRecorded).toBe(2);
      const triggers = await handle.query(triggersQuery);
      expect(triggers.filter((t) => t.source === 'webhook').map((t) => t.requestId)).toEqual(['ci-run-77']);
    });
  } finally {
    await server.close();
    await handle.terminate('test done').catch(() => undefined);
  }
});

test('with Temporal unreachable a delivery gets 503 within the deadline, and the server keeps serving', async () => {
  // A real client on a port nothing listens on.
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const client = new Client({ connection });
  const project: ProjectInput = { project: 'offline', datasetUri: 'data/x.csv', settings: FAST_ROLLOUT_SETTINGS };
  const server = await startWebhookServer({
    client,
    taskQueue: 'nowhere',
    projects: (n) => (n === 'offline' ? project : undefined),
    secrets: { github: SECRETS.github },
    port: 0,
    temporalTimeoutMs: 1000,
    logLevel: 'silent',
  });
  try {
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const reply = await pushDelivery(`${server.url}/hooks/github/offline`, `d-${i}`, 'abc1234');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(await reply.json()).toEqual({
        error: 'temporal_unavailable',
        message: expect.stringContaining('redeliver'),
      });
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  } finally {
    await server.close();
    await connection.close().catch(() => undefined);
  }
});

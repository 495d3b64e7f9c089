// The ARM protocol the emulator's resource routes share: 404 or the resource, {value} lists, 201/200 PUTs with
// Azure-AsyncOperation while provisioning, and 204/200/202 deletes with the LRO headers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerArmResource, type Removal } from '../../../src/emulator/crud';
import { AzureError } from '../../../src/emulator/errors';
import { Operations } from '../../../src/emulator/lro';
import { Store } from '../../../src/emulator/store';

interface Thing {
  name: string;
  size: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ws = { subscriptionId: 's', resourceGroup: 'g', workspaceName: 'w', location: 'local' };

describe('registerArmResource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amlops-crud-'));
  const things = new Map<string, Thing>();
  const ops = new Operations(new Store(dir), ws, () => 'https://127.0.0.1:1', 1);
  const released: string[] = [];
  let app: FastifyInstance;
  let base = '';

  /** A request to the test server: status, headers, JSON body (or undefined when empty). */
  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler((err, _req, reply) => {
      if (err instanceof AzureError) return reply.code(err.statusCode).send(err.toBody());
      return reply.code(500).send({ message: String(err) });
    });
    registerArmResource<Thing>(app, ops, {
      group: 'Things',
      path: '/things/:name',
      what: 'thing',
      get: (p) => things.get(p.name),
      list: (_p, q) => [...things.values()].filter((t) => !q.min || t.size >= Number(q.min)),
      view: (t) => ({ ...t, shown: true }),
      createOrUpdate: (p, body) => {
        const created = !things.has(p.name);
        const thing = { name: p.name, size: (body as { size: number }).size };
        things.set(p.name, thing);
        return { resource: thing, created, provision: p.name === 'sync' ? undefined : async () => {} };
      },
      remove: (p): Removal => {
        if (!things.has(p.name)) return 'absent';
        if (p.name === 'sync') return things.delete(p.name) ? 'removed' : 'absent';
        return async () => void released.push(p.name);
      },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET answers the resource as viewed, or 404 naming the kind and the name', async () => {
    things.set('a', { name: 'a', size: 1 });
    expect(await call('GET', '/things/a')).toMatchObject({ status: 200, body: { name: 'a', size: 1, shown: true } });
    const missing = await call('GET', '/things/zz');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: 'ResourceNotFound', message: "The thing 'zz' was not found.", details: [] },
    });
  });

  test('the collection route lists {value} with the query passed through', async () => {
    things.set('b', { name: 'b', size: 5 });
    const all = (await call('GET', '/things')).body as { value: Thing[] };
    expect(all.value.map((t) => t.name)).toEqual(['a', 'b']);
    expect((await call('GET', '/things?min=2')).body).toEqual({ value: [{ name: 'b', size: 5, shown: true }] });
  });

  test('PUT is 201 then 200, with Azure-AsyncOperation while provisioning and none when synchronous', async () => {
    const first = await call('PUT', '/things/c', { size: 3 });
    expect(first).toMatchObject({ status: 201, body: { name: 'c', size: 3, shown: true } });
    expect(first.headers.get('azure-asyncoperation')).toMatch(/^https:\/\/127\.0\.0\.1:1\/subscriptions\/s\/.*Status/);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.headers.get('location')).toBeNull();
    expect((await call('PUT', '/things/c', { size: 4 })).status).toBe(200);
    const sync = await call('PUT', '/things/sync', { size: 1 });
    expect(sync.status).toBe(201);
    expect(sync.headers.get('azure-asyncoperation')).toBeNull();
  });

  test('DELETE is 204 when absent, 200 when removed at once, 202 with Location when torn down as an LRO', async () => {
    expect((await call('DELETE', '/things/zz')).status).toBe(204);
    expect((await call('DELETE', '/things/sync')).status).toBe(200);
    const lro = await call('DELETE', '/things/c');
    expect(lro).toMatchObject({ status: 202, body: undefined });
    expect(lro.headers.get('location')).toMatch(/mfeOperationResults/);
    const opName = String(lro.headers.get('azure-asyncoperation')).split('/').pop()!.split('?')[0];
    for (let i = 0; i < 50 && ops.get(opName)?.status === 'InProgress'; i++) await sleep(10);
    expect(ops.get(opName)?.status).toBe('Succeeded');
    expect(released).toEqual(['c']);
  });

  test('routes carry Azure operation names, which faults and the journal match on', async () => {
    const names: string[] = [];
    const probe = Fastify();
    probe.addHook('onRoute', (route) => void names.push(`${String(route.method)} ${String(route.config?.operation)}`));
    const spec = { group: 'Things', path: '/t/:n', what: 't', get: () => undefined, list: () => [] };
    registerArmResource(probe, ops, spec);
    await probe.ready();
    expect(names.filter((n) => !n.startsWith('HEAD'))).toEqual(['GET Things_Get', 'GET Things_List']);
  });
});

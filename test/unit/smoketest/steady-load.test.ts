// The steady client load: a fixed rate whatever the answers, every failed or slow request counted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSteadyLoad } from '../../../src/smoketest';

let server: Server;
let scoringUri: string;
let answered = 0;

beforeAll(async () => {
  // Every 5th request fails with 503 and names its deployment "bad"; every 7th answers after 300 ms.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const n = ++answered;
      const reply = () => {
        res.setHeader('azureml-model-deployment', n % 5 === 0 ? 'bad' : 'good');
        res.writeHead(n % 5 === 0 ? 503 : 200, { 'content-type': 'application/json' });
        res.end('["no"]');
      };
      if (n % 7 === 0) setTimeout(reply, 300);
      else reply();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  scoringUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('startSteadyLoad', () => {
  it('sends at the given rate and counts failures, slow answers and deployments', async () => {
    answered = 0;
    const load = startSteadyLoad({ scoringUri, key: 'k' }, { rate: 50, bodies: ['{"data":[{}]}'], slowMs: 200 });
    await new Promise((r) => setTimeout(r, 2000));
    const summary = await load.stop();
    // 2 s at 50/s: about 100 requests, give or take a tick of the schedule.
    expect(summary.sent).toBeGreaterThanOrEqual(95);
    expect(summary.sent).toBeLessThanOrEqual(105);
    expect(summary.ok + summary.failed).toBe(summary.sent);
    expect(summary.failed).toBe(summary.byStatus['503']);
    expect(summary.failed).toBe(Math.floor(answered / 5));
    expect(summary.slow).toBe(Math.floor(answered / 7));
    expect(summary.byDeployment.bad).toBe(summary.failed);
    expect(summary.latencyMs.max).toBeGreaterThanOrEqual(300);
    expect(summary.firstFailureAtMs).toBeLessThanOrEqual(summary.lastFailureAtMs ?? -1);
  });

  it('counts a request that gets no answer as failed with status 0', async () => {
    const load = startSteadyLoad({ scoringUri: 'http://127.0.0.1:9/score', key: 'k' }, { rate: 20, bodies: ['{}'] });
    await new Promise((r) => setTimeout(r, 300));
    const summary = await load.stop();
    expect(summary.sent).toBeGreaterThan(0);
    expect(summary.failed).toBe(summary.sent);
    expect(summary.byStatus['0']).toBe(summary.sent);
  });

  it('refuses a rate it cannot keep and an empty set of bodies', () => {
    expect(() => startSteadyLoad({ scoringUri, key: 'k' }, { rate: 0, bodies: ['{}'] })).toThrow(/rate/);
    expect(() => startSteadyLoad({ scoringUri, key: 'k' }, { rate: 10, bodies: [] })).toThrow(/body/);
  });
});

// The front end's forward to a deployment: a slow deployment (fault delay) already holds the request while it dawdles,
// so a deployment stopped meanwhile (a rollback) still answers it, as a draining scoring server does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorContext } from '../../../src/emulator/context';
import { Faults } from '../../../src/emulator/faults';
import { forwardToDeployment } from '../../../src/emulator/serving/forward';

let server: Server;
let port: number;
let received = 0;

beforeEach(async () => {
  received = 0;
  server = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"Results":["no"]}'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

function context(faults: Faults): EmulatorContext {
  // Only what forwardToDeployment reads: the instance of the deployment and the fault rules.
  return { deployments: { pick: () => ({ port }) }, faults } as unknown as EmulatorContext;
}

const request = {
  method: 'POST',
  target: 'score',
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{}'),
};

test('a slow deployment stopped while it dawdles still answers the request it holds', async () => {
  const faults = new Faults();
  faults.set([{ deployment: 'slow', status: 500, delayMs: 400, delayRate: 1, retryAfterSeconds: 1 }]);
  const started = Date.now();
  const pending = forwardToDeployment(context(faults), 'ep', 'slow', request);
  // The instance stops taking new connections 100 ms in, as a scoring server does on SIGTERM.
  await new Promise((r) => setTimeout(r, 100));
  server.close();
  const answer = await pending;
  expect({ status: answer.status, body: answer.body.toString(), received }).toEqual({
    status: 200,
    body: '{"Results":["no"]}',
    received: 1,
  });
  expect(Date.now() - started).toBeGreaterThanOrEqual(390); // still slow: the delay is spent before the answer
});

test('an injected failure is still answered after the delay, without reaching the instance', async () => {
  const faults = new Faults(() => 0);
  faults.set([{ deployment: 'bad', status: 503, rate: 1, delayMs: 200, delayRate: 1, retryAfterSeconds: 1 }]);
  const started = Date.now();
  const answer = await forwardToDeployment(context(faults), 'ep', 'bad', request);
  expect({ status: answer.status, received }).toEqual({ status: 503, received: 0 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
});

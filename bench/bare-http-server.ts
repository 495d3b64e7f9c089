// The machine's floor for bench:serve: a bare node:http server that reads each POST body and answers a fixed
// scoring-sized JSON reply, with no framework, auth, validation, model or telemetry. Measured under the same
// load as the scoring server, it shows how much of a latency figure is this machine (its CPU speed, its kernel
// calls, its virtual CPUs' pauses) rather than the scoring server.
import { createServer } from 'node:http';

const reply = Buffer.from(JSON.stringify({ Results: ['no'] }));
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': reply.length });
    res.end(reply);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  // The scoring server's start-up line, so bench:serve starts both the same way.
  console.log(JSON.stringify({ event: 'listening', url: `http://127.0.0.1:${port}`, port, pid: process.pid }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

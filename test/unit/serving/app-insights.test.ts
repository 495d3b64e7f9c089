// With a connection string, request telemetry reaches the Application Insights ingestion API
// (a local HTTPS stand-in here).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { generate } from 'selfsigned';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { asJsonRow, trainBankModel } from './bank-model';

const MAIN = join(__dirname, '..', '..', '..', 'src', 'serving', 'main.js');
const KEY = 'appinsights-primary-0123456789';

interface Envelope {
  name: string;
  data?: {
    baseType?: string;
    baseData?: {
      name?: string;
      responseCode?: string;
      duration?: string;
      success?: boolean;
      properties?: Record<string, string>;
    };
  };
}

describe('Application Insights export', () => {
  let ingestion: Server;
  const envelopes: Envelope[] = [];
  const raw: string[] = [];

  const dir = mkdtempSync(join(tmpdir(), 'amlops-appinsights-'));
  const caFile = join(dir, 'ingestion-ca.pem');

  beforeAll(async () => {
    // The exporter only speaks HTTPS; the child process trusts this certificate through NODE_EXTRA_CA_CERTS.
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    writeFileSync(caFile, pems.cert);
    ingestion = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const text = body.toString('utf8');
        raw.push(text);
        const items = (
          text.trim().startsWith('[')
            ? JSON.parse(text)
            : text
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l))
        ) as Envelope[];
        envelopes.push(...items);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      });
    });
    await new Promise<void>((r) => ingestion.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => ingestion.close(r)));

  it('exports scoring requests as Request telemetry with status and duration, and never the key', async () => {
    const fx = trainBankModel(2000, 10);
    const port = (ingestion.address() as { port: number }).port;
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ primaryKey: KEY }));
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        AMLOPS_MODEL_PATH: fx.modelPath,
        AMLOPS_KEYS_FILE: join(dir, 'keys.json'),
        AMLOPS_PORT: '0',
        AMLOPS_DEPLOYMENT_NAME: 'green',
        AMLOPS_APP_INSIGHTS_ENABLED: 'true',
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`,
        NODE_EXTRA_CA_CERTS: caFile,
        APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
        AMLOPS_LOG_DIR: join(dir, 'logs'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{"event":"listening"')) return;
        resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const row = asJsonRow(fx.model, fx.heldOut[0]!);
    const post = (key: string): Promise<Response> =>
      fetch(`${url}/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ data: [row] }),
      });
    expect((await post(KEY)).status).toBe(200);
    expect((await post('wrong-key-0123456789abcdef')).status).toBe(401);
    child.kill('SIGTERM'); // shutdown flushes the exporter
    expect(await exited).toBe(0);

    const requests = envelopes.filter((e) => e.data?.baseType === 'RequestData').map((e) => e.data!.baseData!);
    expect(requests.map((r) => r.responseCode).sort()).toEqual(['200', '401']);
    const ok = requests.find((r) => r.responseCode === '200')!;
    expect(ok.name).toBe('POST /score');
    expect(ok.success).toBe(true);
    expect(ok.duration).toMatch(/^\d{2}:\d{2}:\d{2}\.\d+$/);
    expect(ok.properties?.deployment).toBe('green');
    expect(raw.join('')).not.toContain(KEY);
    expect(raw.join('')).not.toContain('wrong-key-0123456789abcdef');
  });
});

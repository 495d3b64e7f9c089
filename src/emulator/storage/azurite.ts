// Azurite, the workspace's blob storage: started as a child process in the data dir, or an existing one connected to.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** Azurite's documented well-known development account. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface BlobConnection {
  /** e.g. http://127.0.0.1:10000/devstoreaccount1 */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  connectionString: string;
}

export interface AzuriteHandle extends BlobConnection {
  close(): Promise<void>;
}

export type AzuriteOption =
  { connect: { blobEndpoint: string; accountName?: string; accountKey?: string } } | { port?: number };

export function connectionString(blobEndpoint: string, accountName: string, accountKey: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${accountName};AccountKey=${accountKey};BlobEndpoint=${blobEndpoint};`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startAzurite(dataDir: string, option: AzuriteOption = {}): Promise<AzuriteHandle> {
  if ('connect' in option) {
    const accountName = option.connect.accountName ?? DEV_ACCOUNT;
    const accountKey = option.connect.accountKey ?? DEV_KEY;
    const blobEndpoint = option.connect.blobEndpoint.replace(/\/$/, '');
    return {
      blobEndpoint,
      accountName,
      accountKey,
      connectionString: connectionString(blobEndpoint, accountName, accountKey),
      close: async () => {},
    };
  }
  const location = join(dataDir, 'azurite');
  mkdirSync(location, { recursive: true });
  const port = option.port ?? (await freePort());
  const main = require.resolve('azurite/dist/src/blob/main.js');
  // --skipApiVersionCheck: @azure/storage-blob may speak a service version newer than this Azurite knows.
  // An Azurite whose workspace process was killed (SIGKILL cannot take children along) still holds this folder.
  const pidFile = `${location}.pid`;
  stopStale(pidFile);
  const child = spawn(
    process.execPath,
    [
      main,
      '--location',
      location,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  await waitForListening(child, port);
  const blobEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return {
    blobEndpoint,
    accountName: DEV_ACCOUNT,
    accountKey: DEV_KEY,
    connectionString: connectionString(blobEndpoint, DEV_ACCOUNT, DEV_KEY),
    close: async () => {
      await stopChild(child);
      rmSync(pidFile, { force: true });
    },
  };
}

/** Kills the Azurite recorded in `pidFile` if that process is still an Azurite (pids get reused). */
function stopStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    if (Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('azurite'))
      process.kill(pid, 'SIGKILL');
  } catch {
    // gone already, or no /proc (not Linux): nothing to stop
  }
  rmSync(pidFile, { force: true });
}

async function waitForListening(child: ChildProcess, port: number): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill();
  throw new Error(`Azurite did not listen on port ${port} within 15 s: ${stderr}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

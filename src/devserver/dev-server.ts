// Starts the Temporal dev server (with Web UI) as a child process, or finds one already listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../contract';
import { ensureTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** sqlite file; workflows survive a restart of the server when it is kept. */
  dbFile: string;
  host?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  namespace: string;
  /** False when a server was already listening and this call only found it. */
  started: boolean;
  stop(): Promise<void>;
}

/** The CLI's names for search attribute types. */
const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the process exited with code ${child.exitCode}`);
    if (await portOpen(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? port + 1000;
  const namespace = options.namespace ?? 'default';
  const log = options.log ?? (() => undefined);
  const address = `${host}:${port}`;
  const uiUrl = `http://${host === '0.0.0.0' ? 'localhost' : host}:${uiPort}`;

  if (await portOpen(host, port)) {
    log(`A Temporal server is already listening on ${address}; using it.`);
    return { address, uiUrl, namespace, started: false, stop: async () => undefined };
  }

  const cli = await ensureTemporalCli(log);
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--ip',
    host,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    // The worker runs a cycle's activities on the workflow's own task queue: eager dispatch saves a poll per step.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    await waitForPort(host, port, 30000, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`The Temporal dev server did not start on ${address}: ${(err as Error).message}.\n${stderr}`, {
      cause: err,
    });
  }
  return {
    address,
    uiUrl,
    namespace,
    started: true,
    stop: () => stopProcess(child, 10_000),
  };
}

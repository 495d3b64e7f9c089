// Opens the workspace the worker uses: Azure ML when configured, else the local workspace as its own process
// (found running, or started), so a worker crash never takes training jobs or endpoints down with it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../smoketest';
import { AzureMLClient, azureTargetFromEnv, localTargetFromDir, type LocalConnection } from '../azureml';
import type { Config } from '../config';
import { stopProcess } from '../devserver/dev-server';

export interface OpenWorkspace {
  client: AzureMLClient;
  /** One line for people: which workspace this is. */
  description: string;
  /** Stops the local workspace if this call started it. */
  close(): Promise<void>;
}

export const workspaceDir = (config: Config): string => join(config.dataDir, 'workspace');

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The connection of a local workspace that is up and answering, if there is one in `dir`. */
async function runningWorkspace(dir: string): Promise<(LocalConnection & { pid: number }) | undefined> {
  const file = join(dir, 'connection.json');
  if (!existsSync(file)) return undefined;
  const connection = JSON.parse(readFileSync(file, 'utf8')) as LocalConnection & { pid: number };
  if (!pidAlive(connection.pid)) return undefined;
  try {
    const ca = readFileSync(connection.caCertificatePath, 'utf8');
    const res = await call(`${connection.endpoint}/_admin/health`, {}, 2000, { ca });
    return res.status === 200 ? connection : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The port the workspace in `dir` had last time ('0' = any): endpoints' stored scoring URIs keep working across
 * restarts.
 */
export function previousPort(dir: string): string {
  const previous = join(dir, 'connection.json');
  return existsSync(previous)
    ? new URL((JSON.parse(readFileSync(previous, 'utf8')) as LocalConnection).endpoint).port || '0'
    : '0';
}

async function startWorkspaceProcess(
  dir: string,
  print: (line: string) => void,
): Promise<{ pid: number; stop: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const log = openSync(join(dir, 'workspace.log'), 'a');
  const port = previousPort(dir);
  // Detached: the workspace outlives a crashed worker, as a cloud workspace would; a new worker finds it again.
  const child = spawn(process.execPath, [require.resolve('../emulator/main'), '--data-dir', dir, '--port', port], {
    stdio: ['ignore', 'pipe', log],
    detached: true,
  });
  const ready = await new Promise<boolean>((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(false), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('"ready":true')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`The local workspace did not start; see ${join(dir, 'workspace.log')}.`);
  }
  child.stdout?.destroy();
  child.unref();
  print(`Started the local Azure ML workspace (pid ${child.pid}; log ${join(dir, 'workspace.log')}).`);
  return {
    pid: child.pid as number,
    stop: () => stopProcess(child, 15_000),
  };
}

export async function openWorkspace(
  config: Config,
  print: (line: string) => void = () => undefined,
): Promise<OpenWorkspace> {
  const azure = azureTargetFromEnv();
  if (azure) {
    return {
      client: new AzureMLClient(azure),
      description: `Azure ML workspace ${azure.workspaceName} (resource group ${azure.resourceGroup})`,
      close: async () => undefined,
    };
  }
  const dir = workspaceDir(config);
  const running = await runningWorkspace(dir);
  const started = running ? undefined : await startWorkspaceProcess(dir, print);
  const target = localTargetFromDir(dir);
  return {
    client: new AzureMLClient(target),
    description: `local Azure ML workspace at ${target.endpoint} (data in ${dir})`,
    close: async () => started?.stop(),
  };
}

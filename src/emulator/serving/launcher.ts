// Starts one scoring-server process (dist/src/serving/main.js) for a deployment instance.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { freePort, stopChild } from '../storage/azurite';

export interface LaunchSpec {
  endpointName: string;
  deploymentName: string;
  instance: number;
  /** The ModelArtifact JSON file the server loads. */
  modelFile: string;
  modelName?: string;
  modelVersion?: string;
  /** JSON {primaryKey, secondaryKey}; rewritten on key regeneration, and the server re-reads it. */
  keyFile: string;
  appInsightsEnabled: boolean;
  appInsightsConnectionString?: string;
  /** Directory for the instance's own log file and its captured stdout/stderr. */
  logDir: string;
  environmentVariables?: Record<string, string>;
}

export interface ScoringInstance {
  port: number;
  pid?: number;
  /** The file stdout and stderr go to. */
  consoleLog: string;
  logDir: string;
  stop(): Promise<void>;
  readonly exited: boolean;
}

/** The seam: anything that can bring a scoring server up on a port (a process in production, a stub in tests). */
export interface ScoringLauncher {
  launch(spec: LaunchSpec): Promise<ScoringInstance>;
}

/** Path of the scoring server's process entry in this build. */
export function servingEntry(): string {
  // dist/src/emulator/serving/launcher.js -> dist/src/serving/main.js
  return resolve(__dirname, '..', '..', 'serving', 'main.js');
}

export class ProcessLauncher implements ScoringLauncher {
  constructor(private readonly entry = servingEntry()) {}

  async launch(spec: LaunchSpec): Promise<ScoringInstance> {
    if (!existsSync(this.entry)) {
      throw new Error(`The scoring server is not built: ${this.entry} does not exist (run npm run build).`);
    }
    mkdirSync(spec.logDir, { recursive: true });
    const port = await freePort();
    const consoleLog = join(spec.logDir, `instance-${spec.instance}.console.log`);
    mkdirSync(dirname(consoleLog), { recursive: true });
    const out = createWriteStream(consoleLog, { flags: 'a' });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...spec.environmentVariables,
      AMLOPS_MODEL_PATH: spec.modelFile,
      AMLOPS_KEYS_FILE: spec.keyFile,
      AMLOPS_PORT: String(port),
      AMLOPS_HOST: '127.0.0.1',
      AMLOPS_ENDPOINT_NAME: spec.endpointName,
      AMLOPS_DEPLOYMENT_NAME: spec.deploymentName,
      AMLOPS_MODEL_NAME: spec.modelName ?? '',
      AMLOPS_MODEL_VERSION: spec.modelVersion ?? '',
      AMLOPS_APP_INSIGHTS_ENABLED: spec.appInsightsEnabled ? 'true' : 'false',
      AMLOPS_LOG_DIR: spec.logDir,
      ...(spec.appInsightsConnectionString
        ? { APPLICATIONINSIGHTS_CONNECTION_STRING: spec.appInsightsConnectionString }
        : {}),
    };
    const child: ChildProcess = spawn(process.execPath, [this.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once('exit', () => out.end());
    await waitHealthy(child, port, consoleLog);
    return {
      port,
      pid: child.pid,
      consoleLog,
      logDir: spec.logDir,
      stop: () => stopChild(child),
      get exited() {
        return child.exitCode !== null || child.signalCode !== null;
      },
    };
  }
}

async function waitHealthy(child: ChildProcess, port: number, consoleLog: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`The scoring server exited with code ${child.exitCode} during start-up; see ${consoleLog}.`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopChild(child);
  throw new Error(`The scoring server did not answer GET / within 30 s; see ${consoleLog}.`);
}

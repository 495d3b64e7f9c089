// Running deployments: the scoring-server instances of each (endpoint, deployment), their logs and key files.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDeploymentLogs } from '../../serving';
import type { LaunchSpec, ScoringInstance, ScoringLauncher } from './launcher';

export interface DeploymentSpec {
  modelFile: string;
  modelName?: string;
  modelVersion?: string;
  instanceCount: number;
  appInsightsEnabled: boolean;
  environmentVariables?: Record<string, string>;
}

export interface EndpointKeys {
  primaryKey: string;
  secondaryKey: string;
}

export class DeploymentManager {
  private readonly running = new Map<string, { instances: ScoringInstance[]; next: number }>();

  constructor(
    private readonly dataDir: string,
    private readonly launcher: ScoringLauncher,
    private readonly appInsightsConnectionString?: string,
  ) {}

  dir(endpoint: string, deployment?: string): string {
    const base = join(this.dataDir, 'endpoints', endpoint.toLowerCase());
    return deployment ? join(base, 'deployments', deployment.toLowerCase()) : base;
  }

  keyFile(endpoint: string): string {
    return join(this.dir(endpoint), 'keys.json');
  }

  /** Write-then-rename, so a scoring server polling the file never reads half of it. */
  writeKeys(endpoint: string, keys: EndpointKeys): void {
    mkdirSync(this.dir(endpoint), { recursive: true });
    const file = this.keyFile(endpoint);
    writeFileSync(`${file}.tmp`, JSON.stringify(keys), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /** (Re)starts a deployment's instances; the old ones stop only after the new ones answer, so scoring never gaps. */
  async start(endpoint: string, deployment: string, spec: DeploymentSpec): Promise<void> {
    const key = this.key(endpoint, deployment);
    const logDir = join(this.dir(endpoint, deployment), 'logs');
    const fresh: ScoringInstance[] = [];
    try {
      for (let i = 0; i < spec.instanceCount; i++) {
        const launch: LaunchSpec = {
          endpointName: endpoint,
          deploymentName: deployment,
          instance: i,
          modelFile: spec.modelFile,
          modelName: spec.modelName,
          modelVersion: spec.modelVersion,
          keyFile: this.keyFile(endpoint),
          appInsightsEnabled: spec.appInsightsEnabled,
          appInsightsConnectionString: this.appInsightsConnectionString,
          logDir,
          environmentVariables: spec.environmentVariables,
        };
        fresh.push(await this.launcher.launch(launch));
      }
    } catch (err) {
      await Promise.allSettled(fresh.map((f) => f.stop()));
      throw err;
    }
    const old = this.running.get(key);
    this.running.set(key, { instances: fresh, next: 0 });
    if (old) await Promise.allSettled(old.instances.map((i) => i.stop()));
  }

  async stop(endpoint: string, deployment: string): Promise<void> {
    const key = this.key(endpoint, deployment);
    const r = this.running.get(key);
    this.running.delete(key);
    if (r) await Promise.allSettled(r.instances.map((i) => i.stop()));
  }

  /** Round-robin over live instances; undefined when none is up. */
  pick(endpoint: string, deployment: string): ScoringInstance | undefined {
    const r = this.running.get(this.key(endpoint, deployment));
    if (!r) return undefined;
    const live = r.instances.filter((i) => !i.exited);
    if (!live.length) return undefined;
    r.next = (r.next + 1) % live.length;
    return live[r.next];
  }

  isRunning(endpoint: string, deployment: string): boolean {
    return this.pick(endpoint, deployment) !== undefined;
  }

  /** The last `tail` lines of the instances' console output (what Azure's getLogs shows for the inference server). */
  logs(endpoint: string, deployment: string, tail: number): string {
    const logDir = join(this.dir(endpoint, deployment), 'logs');
    // The scoring server's own log (JSON lines: requests, telemetry) is what Azure's getLogs shows;
    // console output is the fallback.
    const own = readDeploymentLogs(logDir, { endpointName: endpoint, deploymentName: deployment }, tail);
    if (own) return own;
    const lines: string[] = [];
    for (let i = 0; i < 64; i++) {
      const file = join(logDir, `instance-${i}.console.log`);
      if (!existsSync(file)) break;
      lines.push(
        ...readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.length),
      );
    }
    return lines.slice(-tail).join('\n');
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()].flatMap((r) => r.instances);
    this.running.clear();
    await Promise.allSettled(all.map((i) => i.stop()));
  }

  private key(endpoint: string, deployment: string): string {
    return `${endpoint}/${deployment}`.toLowerCase();
  }
}

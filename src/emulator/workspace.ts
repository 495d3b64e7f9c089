// startLocalWorkspace: composes storage, state, engines and routes into one running local Azure ML workspace.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { LocalWorkspaceCredential, loadOrCreateTokenSecret } from './auth';
import { loadOrCreateCertificate } from './tls';
import { createServer } from './http';
import { Journal } from './journal';
import { LiveMetrics } from './live-metrics';
import { Faults, type FaultRule } from './faults';
import { Store } from './store';
import { Operations } from './lro';
import { startAzurite, type AzuriteOption, type BlobConnection } from './storage/azurite';
import { WorkspaceBlobs } from './storage/blobs';
import { Pools } from './compute/pool';
import { JobRunner } from './jobs/runner';
import { Runs } from './jobs/runs';
import type { TrainingEngine } from './jobs/engine';
import { ThreadTrainingEngine } from './jobs/thread-engine';
import { DeploymentManager } from './serving/deployments';
import { ProcessLauncher, type ScoringLauncher } from './serving/launcher';
import type { EmulatorContext } from './context';
import type { WorkspaceIdentity } from './ids';
import { registerWorkspaceRoutes, DEFAULT_DATASTORE } from './routes/workspace';
import { registerComputeRoutes, scaleOf, type StoredCompute } from './routes/computes';
import { registerAssetRoutes } from './routes/assets';
import { registerJobRoutes, resolveJobInput } from './routes/jobs';
import { registerMlflowRoutes } from './routes/mlflow';
import { registerOnlineEndpointRoutes } from './routes/onlineEndpoints';
import { registerOnlineDeploymentRoutes, provisionDeployment, type StoredDeployment } from './routes/onlineDeployments';
import { registerInferenceRoutes } from './routes/inference';
import { registerMetricsRoutes } from './routes/metrics';
import { registerAdminRoutes } from './routes/admin';
import { registerScheduleRoutes, fireSchedule, armSchedule, type StoredSchedule } from './routes/schedules';
import { Scheduler } from './jobs/scheduler';
import { registerBatchRoutes, type BatchJob } from './routes/batch';

export interface LocalWorkspaceOptions {
  /** Where everything lives: certificate, token secret, resources, Azurite's blobs, deployment logs. */
  dataDir: string;
  /** HTTPS port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Start Azurite as a child process (default, optionally on a given port) or connect to a running one. */
  azurite?: AzuriteOption;
  subscriptionId?: string;
  resourceGroup?: string;
  workspaceName?: string;
  location?: string;
  /** Fault rules active from the start (also read from AMLOPS_EMULATOR_FAULTS). */
  faults?: FaultRule[];
  /** Retry-After seconds on LRO answers (Azure sends one); 0 lets the client's polling interval rule. Default 1. */
  lroRetryAfterSeconds?: number;
  /** How long resources stay Creating before Succeeded. Default 100 ms. */
  provisioningDelayMs?: number;
  /** Replaces the AutoML engine (tests); default runs src/training in a worker thread. */
  trainingEngine?: TrainingEngine;
  /** Replaces how scoring servers start (tests); default spawns dist/src/serving/main.js per instance. */
  scoringLauncher?: ScoringLauncher;
  /** Passed to scoring servers of deployments with appInsightsEnabled. */
  appInsightsConnectionString?: string;
}

export interface LocalWorkspace {
  /** HTTPS base URL, e.g. https://127.0.0.1:8443 — pass as `endpoint` to AzureMachineLearningWorkspaces. */
  endpoint: string;
  port: number;
  /** PEM of the self-signed certificate clients must trust (tlsOptions.ca, or NODE_EXTRA_CA_CERTS with caCertificatePath). */
  caCertificate: string;
  caCertificatePath: string;
  credential: LocalWorkspaceCredential;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  location: string;
  dataDir: string;
  blob: BlobConnection & { containerName: string; datastoreName: string };
  journal: Journal;
  faults: Faults;
  close(): Promise<void>;
}

export async function startLocalWorkspace(options: LocalWorkspaceOptions): Promise<LocalWorkspace> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const ws: WorkspaceIdentity = {
    subscriptionId: options.subscriptionId ?? '00000000-0000-0000-0000-000000000000',
    resourceGroup: options.resourceGroup ?? 'amlops-local',
    workspaceName: options.workspaceName ?? 'local',
    location: options.location ?? 'local',
  };
  const guidFile = join(dataDir, 'workspace-id');
  if (!existsSync(guidFile)) writeFileSync(guidFile, randomUUID());
  const workspaceGuid = readFileSync(guidFile, 'utf8').trim();

  const [tls, azurite] = await Promise.all([loadOrCreateCertificate(dataDir), startAzurite(dataDir, options.azurite ?? {})]);
  const tokenSecret = loadOrCreateTokenSecret(dataDir);
  const containerName = `azureml-blobstore-${workspaceGuid}`;
  const blobs = new WorkspaceBlobs(azurite, containerName, { [DEFAULT_DATASTORE]: containerName });

  const journal = new Journal();
  const faults = new Faults();
  faults.set([...Faults.fromEnv(process.env.AMLOPS_EMULATOR_FAULTS), ...(options.faults ?? [])]);
  const store = new Store(join(dataDir, 'state'));
  store.load();
  let baseUrl = '';
  const ops = new Operations(store, ws, () => baseUrl, options.lroRetryAfterSeconds ?? 1);
  const pools = new Pools();
  const runs = new Runs(store);
  const deployments = new DeploymentManager(dataDir, options.scoringLauncher ?? new ProcessLauncher(), options.appInsightsConnectionString);

  // The context is complete before any request can arrive; `jobs` needs it to resolve inputs.
  const ctx = {
    ws,
    baseUrl: () => baseUrl,
    store,
    ops,
    blobs,
    journal,
    faults,
    pools,
    deployments,
    liveMetrics: new LiveMetrics(),
    tokenSecret,
    workspaceGuid,
    provisioningDelayMs: options.provisioningDelayMs ?? 100,
  } as Omit<EmulatorContext, 'jobs'> as EmulatorContext;
  ctx.jobs = new JobRunner({
    store,
    runs,
    blobs,
    pools,
    engine: options.trainingEngine ?? new ThreadTrainingEngine(),
    workRoot: join(dataDir, 'jobs'),
    resolveInput: (uri, type) => resolveJobInput(ctx, uri, type),
  });

  ctx.scheduler = new Scheduler({
    fire: (name, at) => fireSchedule(ctx, name, at),
    // A schedule whose job cannot be submitted (e.g. its data was deleted) records why and keeps its timer.
    onError: (name, err) => {
      const s = store.get<StoredSchedule>('schedules', name);
      if (s) store.put('schedules', name, { ...s, properties: { ...s.properties, properties: { ...s.properties.properties, 'amlops.lastError': (err as Error).message ?? String(err) } } });
    },
  });

  // Restart recovery: clusters come back, interrupted operations and jobs fail with the reason.
  ops.failInterrupted();
  ctx.jobs.recover();
  for (const c of store.list<StoredCompute>('computes')) {
    if (c.properties.provisioningState === 'Deleting') store.delete('computes', c.name);
    else {
      pools.ensure(c.name, scaleOf(c));
      if (c.properties.provisioningState !== 'Succeeded') store.put('computes', c.name, { ...c, properties: { ...c.properties, provisioningState: 'Succeeded' } });
    }
  }

  const app = createServer({ tls, tokenSecret, journal, faults, workspace: ws });
  const routes = [
    registerWorkspaceRoutes,
    registerComputeRoutes,
    registerAssetRoutes,
    registerJobRoutes,
    registerMlflowRoutes,
    registerOnlineEndpointRoutes,
    registerOnlineDeploymentRoutes,
    registerInferenceRoutes,
    registerMetricsRoutes,
    registerAdminRoutes,
    registerScheduleRoutes,
    registerBatchRoutes,
  ];
  for (const register of routes) {
    register(app, ctx);
  }

  await Promise.all([blobs.ensureContainers(), app.listen({ host: '127.0.0.1', port: options.port ?? 0 })]);
  const port = (app.server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;

  // Deployments that were serving before the restart are brought back in the background (scoring answers 503 until then).
  const restarting = store.list<StoredDeployment>('onlineDeployments').filter((d) => d.properties.provisioningState !== 'Deleting');
  const restored = Promise.allSettled(
    restarting.map((d) => {
      const endpoint = d.id.split('/onlineEndpoints/')[1].split('/')[0];
      return provisionDeployment(ctx, endpoint, d.name);
    }),
  );

  for (const s of store.list<StoredSchedule>('schedules')) armSchedule(ctx, s);
  for (const j of store.list<BatchJob>('batchJobs')) {
    if (j.status === 'Running') store.put('batchJobs', j.name, { ...j, status: 'Failed', error: { code: 'JobInterrupted', message: 'The local workspace stopped while this batch job was running; invoke the endpoint again.' } });
  }

  writeFileSync(join(dataDir, 'connection.json'), JSON.stringify({ endpoint: baseUrl, caCertificatePath: tls.certPath, subscriptionId: ws.subscriptionId, resourceGroup: ws.resourceGroup, workspaceName: ws.workspaceName, blobEndpoint: azurite.blobEndpoint, pid: process.pid }, null, 2));

  let closed = false;
  return {
    endpoint: baseUrl,
    port,
    caCertificate: tls.cert,
    caCertificatePath: tls.certPath,
    credential: new LocalWorkspaceCredential(tokenSecret),
    ...ws,
    dataDir,
    blob: { ...azurite, containerName, datastoreName: DEFAULT_DATASTORE },
    journal,
    faults,
    async close() {
      if (closed) return;
      closed = true;
      await restored;
      ctx.scheduler.stopAll();
      await ctx.jobs.stopAll();
      pools.closeAll();
      await app.close();
      await deployments.stopAll();
      await azurite.close();
    },
  };
}

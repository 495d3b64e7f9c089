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
import type { EmulatorContext, RoutePlugin } from './context';
import type { WorkspaceIdentity } from './ids';
import { Scheduler } from './jobs/scheduler';
import * as batchJobs from './resources/batchJobs';
import * as computes from './resources/computes';
import { resolveDataInput } from './resources/data';
import * as jobs from './resources/jobs';
import * as onlineDeployments from './resources/onlineDeployments';
import * as schedules from './resources/schedules';
import { DEFAULT_DATASTORE } from './resources/workspace';
import { adminRoutes } from './routes/admin';
import { assetRoutes } from './routes/assets';
import { batchRoutes } from './routes/batch';
import { computeRoutes } from './routes/computes';
import { inferenceRoutes } from './routes/inference';
import { jobRoutes } from './routes/jobs';
import { metricsRoutes } from './routes/metrics';
import { mlflowRoutes } from './routes/mlflow';
import { onlineDeploymentRoutes } from './routes/onlineDeployments';
import { onlineEndpointRoutes } from './routes/onlineEndpoints';
import { operationRoutes } from './routes/operations';
import { scheduleRoutes } from './routes/schedules';
import { workspaceRoutes } from './routes/workspace';

const ROUTES: RoutePlugin[] = [
  workspaceRoutes,
  operationRoutes,
  computeRoutes,
  assetRoutes,
  jobRoutes,
  mlflowRoutes,
  onlineEndpointRoutes,
  onlineDeploymentRoutes,
  inferenceRoutes,
  metricsRoutes,
  adminRoutes,
  scheduleRoutes,
  batchRoutes,
];

/** The resource kinds with state to bring back after a restart, in the order they are recovered. */
const RECOVERABLE: { recover(ctx: EmulatorContext): void | Promise<void> }[] = [
  jobs,
  computes,
  onlineDeployments,
  schedules,
  batchJobs,
];

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
  /** PEM of the self-signed certificate clients must trust (tlsOptions.ca, or NODE_EXTRA_CA_CERTS with the path). */
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

  const [tls, azurite] = await Promise.all([
    loadOrCreateCertificate(dataDir),
    startAzurite(dataDir, options.azurite ?? {}),
  ]);
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
  const launcher = options.scoringLauncher ?? new ProcessLauncher();
  const ctx: EmulatorContext = {
    ws,
    baseUrl: () => baseUrl,
    store,
    ops,
    blobs,
    journal,
    faults,
    pools,
    runs,
    deployments: new DeploymentManager(dataDir, launcher, options.appInsightsConnectionString),
    liveMetrics: new LiveMetrics(),
    tokenSecret,
    workspaceGuid,
    provisioningDelayMs: options.provisioningDelayMs ?? 100,
    // The runner and the scheduler call back into resources, which are given this context when they are called.
    jobs: new JobRunner({
      store,
      runs,
      blobs,
      pools,
      engine: options.trainingEngine ?? new ThreadTrainingEngine(),
      workRoot: join(dataDir, 'jobs'),
      resolveInput: (uri, type) => resolveDataInput(ctx, uri, type),
    }),
    scheduler: new Scheduler({
      fire: (name, at) => schedules.fire(ctx, name, at),
      onError: (name, err) => schedules.recordError(ctx, name, err),
    }),
  };

  const app = createServer({ tls, tokenSecret, journal, faults, workspace: ws });
  for (const routes of ROUTES) app.register(routes, { ctx });
  await blobs.ensureContainers();
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const port = (app.server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;

  // Restart recovery runs in listen's continuation, before the server has read a request, with baseUrl known:
  // interrupted operations and jobs fail with the reason, clusters come back, deployments restart in the background.
  ops.failInterrupted();
  const recovered = Promise.allSettled(RECOVERABLE.map((kind) => kind.recover(ctx)));

  const connection = {
    endpoint: baseUrl,
    caCertificatePath: tls.certPath,
    subscriptionId: ws.subscriptionId,
    resourceGroup: ws.resourceGroup,
    workspaceName: ws.workspaceName,
    blobEndpoint: azurite.blobEndpoint,
    pid: process.pid,
  };
  writeFileSync(join(dataDir, 'connection.json'), JSON.stringify(connection, null, 2));

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
      await recovered;
      ctx.scheduler.stopAll();
      await ctx.jobs.stopAll();
      pools.closeAll();
      await app.close();
      await ctx.deployments.stopAll();
      await azurite.close();
    },
  };
}

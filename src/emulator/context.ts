// What every resource and route module is given: the workspace identity, its store, storage, operations and engines.
import type { FastifyPluginAsync } from 'fastify';
import type { WorkspaceIdentity } from './ids';
import type { Store } from './store';
import type { Operations } from './lro';
import type { WorkspaceBlobs } from './storage/blobs';
import type { Journal } from './journal';
import type { Faults } from './faults';
import type { Pools } from './compute/pool';
import type { JobRunner } from './jobs/runner';
import type { Runs } from './jobs/runs';
import type { DeploymentManager } from './serving/deployments';
import type { Scheduler } from './jobs/scheduler';
import type { LiveMetrics } from './live-metrics';

export interface EmulatorContext {
  ws: WorkspaceIdentity;
  /** e.g. https://127.0.0.1:8443 — known once the server listens. */
  baseUrl(): string;
  store: Store;
  ops: Operations;
  blobs: WorkspaceBlobs;
  journal: Journal;
  faults: Faults;
  pools: Pools;
  runs: Runs;
  jobs: JobRunner;
  deployments: DeploymentManager;
  /** Scoring requests per endpoint and deployment, for the metrics API. */
  liveMetrics: LiveMetrics;
  scheduler: Scheduler;
  tokenSecret: string;
  workspaceGuid: string;
  /** Simulated time a resource stays Creating/Updating, so clients see the LRO states. */
  provisioningDelayMs: number;
}

/** A route module: a fastify plugin registered with the workspace's context. */
export type RoutePlugin = FastifyPluginAsync<{ ctx: EmulatorContext }>;

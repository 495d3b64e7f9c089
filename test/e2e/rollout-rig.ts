// The rig of the safe-rollout measurements: one dev server, one local workspace and one worker process shared by
// every scenario; projects, retrains, a client load on an endpoint, and a watch of the endpoint's traffic split.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { Client } from '@temporalio/client';
import { AzureMLClient, getTraffic, localTargetFromDir, type TrafficSplit } from '../../src/azureml';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server';
import {
  endpointName,
  historyQuery,
  projectWorkflowId,
  retrainUpdate,
  PROJECT,
  type CycleRecord,
  type CycleSettings,
  type RetrainRequest,
} from '../../src/contract';
import { startSteadyLoad, type SteadyLoad, type EndpointTarget } from '../../src/smoketest';
import {
  connectTemporal,
  freePort,
  projectInput,
  sleep,
  spawnWorker,
  startWorkspaceProcess,
  waitFor,
  type WorkerProcess,
  type WorkspaceProcess,
} from './helpers';

export interface RolloutRig {
  dir: string;
  ws: WorkspaceProcess;
  client: Client;
  azureml: AzureMLClient;
  worker(): WorkerProcess;
  /** SIGKILLs the worker process and starts a new one (what a crashed host and its restart look like). */
  restartWorker(opts?: { killed?: () => void }): Promise<void>;
  /** Starts the project on `datasetUri` and waits for its first cycle's record. */
  startProject(project: string, datasetUri: string, settings: CycleSettings): Promise<CycleRecord>;
  /** Asks for a retrain on `datasetUri`; resolves with the cycle that will run it. */
  retrain(project: string, datasetUri: string, overrides?: RetrainRequest['overrides']): Promise<number>;
  /** Waits for a cycle's record (the project's history). */
  cycleRecord(project: string, cycle: number, timeoutMs?: number): Promise<CycleRecord>;
  /** The endpoint as a client addresses it: scoring URI and key, no deployment header (the traffic split decides). */
  endpointTarget(project: string): Promise<EndpointTarget>;
  /** Starts a steady load on the project's endpoint; `startedAt` is its epoch-ms origin for the samples' atMs. */
  load(project: string, rate: number, bodies: string[]): Promise<{ load: SteadyLoad; startedAt: number }>;
  /** Polls the endpoint's traffic and mirror traffic; every change is kept with the epoch-ms it was first seen. */
  watchTraffic(project: string, onChange?: (change: TrafficChange) => void, everyMs?: number): TrafficWatch;
  stop(): Promise<void>;
}

export interface TrafficChange extends TrafficSplit {
  at: number;
}

export interface TrafficWatch {
  readonly changes: readonly TrafficChange[];
  stop(): Promise<TrafficChange[]>;
}

export async function startRolloutRig(prefix: string, taskQueue: string): Promise<RolloutRig> {
  const dir = mkdtempSync(join(tmpdir(), `amlops-${prefix}-`));
  const [port, uiPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  let server: DevServer | undefined;
  let ws: WorkspaceProcess | undefined;
  let client: Client | undefined;
  const workers: WorkerProcess[] = [];
  const env = { AMLOPS_DATA_DIR: dir, TEMPORAL_ADDRESS: address, AMLOPS_TASK_QUEUE: taskQueue };
  try {
    [server, ws] = await Promise.all([
      startDevServer({ dbFile: join(dir, 'temporal.db'), port, uiPort }),
      startWorkspaceProcess(dir),
    ]);
    client = await connectTemporal(address);
    workers.push(await spawnWorker(env));
  } catch (err) {
    await Promise.all(workers.map((w) => w.kill()));
    await Promise.all([server?.stop(), ws?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const theWs = ws;
  const theClient = client;
  const theServer = server;
  const azureml = new AzureMLClient(localTargetFromDir(theWs.dir));
  const arm = new AzureMachineLearningWorkspaces(theWs.credential, theWs.subscriptionId, {
    endpoint: theWs.endpoint,
    tlsOptions: { ca: theWs.caCertificate },
  });
  const history = (project: string) => theClient.workflow.getHandle(projectWorkflowId(project)).query(historyQuery);

  const rig: RolloutRig = {
    dir,
    ws: theWs,
    client: theClient,
    azureml,
    worker: () => workers[workers.length - 1],
    async restartWorker(opts = {}) {
      await rig.worker().kill();
      opts.killed?.();
      workers.push(await spawnWorker(env));
    },
    async startProject(project, datasetUri, settings) {
      await theClient.workflow.start('operationalize', {
        workflowId: projectWorkflowId(project),
        taskQueue,
        args: [projectInput(project, datasetUri, settings)],
        typedSearchAttributes: [{ key: PROJECT, value: project }],
      });
      return rig.cycleRecord(project, 1);
    },
    async retrain(project, datasetUri, overrides) {
      const request: RetrainRequest = {
        requestId: `${project}-${Date.now()}`,
        reason: 'rollout measurement',
        source: 'cli',
        datasetUri,
        ...(overrides ? { overrides } : {}),
      };
      const handle = theClient.workflow.getHandle(projectWorkflowId(project));
      const ack = await handle.executeUpdate(retrainUpdate, { args: [request] });
      if (ack.status !== 'started') throw new Error(`retrain of ${project} was ${ack.status}, not started`);
      return ack.cycle;
    },
    cycleRecord: (project, cycle, timeoutMs = 300_000) =>
      waitFor(
        `cycle ${cycle} of ${project} to end`,
        timeoutMs,
        async () => (await history(project)).find((r) => r.cycle === cycle),
        250,
      ),
    async endpointTarget(project) {
      const ep = endpointName(project);
      const [endpoint, keys] = await Promise.all([
        arm.onlineEndpoints.get(theWs.resourceGroup, theWs.workspaceName, ep),
        arm.onlineEndpoints.listKeys(theWs.resourceGroup, theWs.workspaceName, ep),
      ]);
      const scoringUri = endpoint.properties.scoringUri;
      if (!scoringUri || !keys.primaryKey) throw new Error(`endpoint ${ep} has no scoring URI or key yet`);
      return { scoringUri, key: keys.primaryKey, ca: theWs.caCertificate };
    },
    async load(project, rate, bodies) {
      const target = await rig.endpointTarget(project);
      const startedAt = Date.now();
      return { load: startSteadyLoad(target, { rate, bodies }), startedAt };
    },
    watchTraffic(project, onChange, everyMs = 100) {
      const changes: TrafficChange[] = [];
      let running = true;
      const loop = (async () => {
        while (running) {
          try {
            const split = await getTraffic(azureml, endpointName(project));
            const last = changes[changes.length - 1];
            if (!last || !sameSplit(last, split)) {
              const change = { at: Date.now(), ...split };
              changes.push(change);
              onChange?.(change);
            }
          } catch {
            // A failed read is a gap in the watch, not a change; the next poll sees the split.
          }
          await sleep(everyMs);
        }
      })();
      return {
        changes,
        async stop() {
          running = false;
          await loop;
          return changes;
        },
      };
    },
    async stop() {
      await Promise.all(workers.map((w) => w.kill()));
      await theClient.connection.close().catch(() => undefined);
      await Promise.all([theServer.stop(), theWs.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Shares above zero only: {a: 100, b: 0} and {a: 100} are the same split. */
export function sameSplit(a: TrafficSplit, b: TrafficSplit): boolean {
  return splitKey(a) === splitKey(b);
}

export const splitKey = (s: TrafficSplit): string =>
  JSON.stringify(
    [s.traffic, s.mirrorTraffic].map((r) =>
      Object.entries(r)
        .filter(([, v]) => v > 0)
        .sort(),
    ),
  );

/** The first change at or after `from` that puts all live traffic on `deployment` and mirrors nothing. */
export function allTrafficOn(
  changes: readonly TrafficChange[],
  deployment: string,
  from = 0,
): TrafficChange | undefined {
  return changes.find(
    (c) =>
      c.at >= from && (c.traffic[deployment] ?? 0) === 100 && Object.values(c.mirrorTraffic).every((v) => !(v > 0)),
  );
}

// The main job: local Temporal (unless TEMPORAL_ADDRESS is set), a worker, and the project's workflow, followed live.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { join } from 'node:path';
import { projectInput, type Config } from '../config';
import { startDevServer, type DevServer } from '../devserver/dev-server';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { startWebhookServer, webhookConfigFromEnv, type WebhookServer } from '../webhooks';
import { createWorker } from '../worker';
import { logWorkerToFile, openWorkspace } from '../runtime';
import { PROJECT, PROJECT_WORKFLOW, projectWorkflowId, type CycleRecord, type ProjectWorkflow } from '../contract';
import { connectClient } from './connect';
import { followProject } from './progress';

export interface RunningProject {
  client: Client;
  workflowId: string;
  uiUrl?: string;
  webhooks: WebhookServer;
  /** File holding the bearer token of the retraining trigger URL (kept out of logs and workflow history). */
  triggerTokenFile: string;
  /** Resolves after Ctrl-C (or stop()) has shut everything down. */
  done: Promise<void>;
  stop(): Promise<void>;
  /** Stops the processes this run started without waiting for in-flight work. */
  forceStop(): Promise<void>;
}

export async function startProjectWorkflow(client: Client, config: Config): Promise<{ resumed: boolean }> {
  const workflowId = projectWorkflowId(config.project);
  try {
    await client.workflow.start<ProjectWorkflow>(PROJECT_WORKFLOW, {
      workflowId,
      taskQueue: config.taskQueue,
      args: [projectInput(config)],
      typedSearchAttributes: [{ key: PROJECT, value: config.project }],
      memo: { project: config.project, datasetUri: config.datasetUri },
    });
    return { resumed: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { resumed: true };
    throw err;
  }
}

export async function runProject(config: Config, print: (line: string) => void): Promise<RunningProject> {
  const workerLog = logWorkerToFile(config);
  let server: DevServer | undefined;
  if (!config.temporal.address) {
    print('Starting the Temporal dev server (state in ' + join(config.dataDir, 'temporal.db') + ') ...');
    server = await startDevServer({
      dbFile: join(config.dataDir, 'temporal.db'),
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      log: print,
    });
  }
  const client = await connectClient(config);
  const workspace = await openWorkspace(config, print);
  print(`Workspace: ${workspace.description}.`);
  print(`Starting the worker (its log: ${workerLog}) ...`);
  const worker = await createWorker(config, workspace.client);
  const workerRun = worker.run();

  const { token, file: triggerTokenFile } = triggerToken(config);
  const hooks = webhookConfigFromEnv({ ...process.env, AMLOPS_WEBHOOK_TOKEN: token });
  const webhooks = await startWebhookServer({
    client,
    taskQueue: config.taskQueue,
    projects: (name) => (name === config.project ? projectInput(config) : undefined),
    secrets: hooks.secrets,
    eventGrid: hooks.eventGrid,
    githubBranches: hooks.githubBranches,
    host: hooks.host,
    port: config.webhookPort,
    logDestination: pino.destination({ dest: join(config.dataDir, 'webhooks.log'), sync: false }),
  });
  print(
    `Webhooks: ${webhooks.url}/hooks/{github,eventgrid,retrain}/${config.project}` +
      ` (log ${join(config.dataDir, 'webhooks.log')}).`,
  );

  const workflowId = projectWorkflowId(config.project);
  const { resumed } = await startProjectWorkflow(client, config);
  const uiUrl = server ? `${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}` : undefined;
  print(
    resumed
      ? `Resuming project "${config.project}" (workflow ${workflowId}).`
      : `Started project "${config.project}" (workflow ${workflowId}).`,
  );
  if (uiUrl) print(`Temporal Web UI: ${uiUrl}`);
  print('Press Ctrl-C to stop; the project resumes where it was on the next start.');

  const following = new AbortController();
  const follow = followProject(client, config.project, {
    print,
    signal: following.signal,
    onCycleEnd: (record) =>
      print(
        cycleSummary(record, {
          webhooks: webhooks.url,
          tokenFile: triggerTokenFile,
          uiUrl,
          project: config.project,
          reports: join(config.dataDir, 'reports', config.project, `cycle-${record.cycle}`),
        }),
      ),
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      following.abort();
      await follow.catch(() => undefined);
      // The SDK also reacts to SIGINT on its own; shut down only if it has not started to.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch((err: Error) => print(`worker stopped with an error: ${err.message}`));
      await webhooks.close();
      await client.connection.close();
      await workspace.close();
      await server?.stop();
    })());
  const forceStop = async () => {
    await Promise.allSettled([workspace.close(), server?.stop()]);
  };
  return {
    client,
    workflowId,
    uiUrl,
    webhooks,
    triggerTokenFile,
    done: workerRun.then(() => stopping),
    stop,
    forceStop,
  };
}

/**
 * The generic webhook's bearer token: AMLOPS_WEBHOOK_TOKEN, or one made once and kept in <dataDir>/secrets (mode 600).
 */
function triggerToken(config: Config): { token: string; file: string } {
  const dir = join(config.dataDir, 'secrets');
  const file = join(dir, 'webhook-token');
  if (process.env.AMLOPS_WEBHOOK_TOKEN) return { token: process.env.AMLOPS_WEBHOOK_TOKEN, file };
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return { token, file };
}

/** What a person needs after a cycle: where the model is, how to call it, how fast it is, how to retrain. */
function cycleSummary(
  record: CycleRecord,
  at: { webhooks: string; tokenFile: string; uiUrl?: string; project: string; reports: string },
): string {
  const lines: string[] = [];
  const d = record.deployment;
  if (d && record.outcome !== 'rolled-back' && record.outcome !== 'rejected' && record.outcome !== 'blocked') {
    lines.push(
      `  scoring URI  ${d.scoringUri}`,
      `  swagger      ${d.scoringUri.replace(/\/score$/, '/swagger.json')}` +
        ` (with the key; \`npx amlops swagger\` serves it with Swagger UI)`,
      `  try it       npx amlops score --proba   |   npx amlops bench   |   npx amlops logs`,
    );
  }
  if (record.smokeTest) {
    const bench = join(at.reports, 'benchmark.txt');
    lines.push(`  reports      ${at.reports}`);
    if (existsSync(bench)) lines.push(readFileSync(bench, 'utf8').replace(/^/gm, '    ').trimEnd());
  }
  lines.push(
    `  retrain      npx amlops retrain --data new.csv`,
    `               curl -X POST ${at.webhooks}/hooks/retrain/${at.project}` +
      ` -H "Authorization: Bearer $(cat ${at.tokenFile})"` +
      ` -H 'content-type: application/json' -d '{"reason":"new data"}'`,
  );
  if (at.uiUrl) lines.push(`  Web UI       ${at.uiUrl}`);
  return lines.join('\n');
}

/**
 * Ctrl-C stops gracefully (in-flight steps resume on the next start); a second Ctrl-C stops at once, still taking the
 * local workspace down with it, instead of leaving Node's default handler to kill only this process.
 */
export function onStopSignal(running: RunningProject): void {
  let signals = 0;
  const stop = () => {
    signals++;
    if (signals === 1) {
      process.stdout.write('\nShutting down (in-flight steps resume on the next start; Ctrl-C again to force) ...\n');
      void running.stop().then(() => process.exit(0));
    } else {
      process.stdout.write('Forcing shutdown.\n');
      void running.forceStop().finally(() => process.exit(130));
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

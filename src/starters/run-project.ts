// The main job: local Temporal (unless TEMPORAL_ADDRESS is set), a worker, and the project's workflow, followed live.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { join } from 'node:path';
import { projectInput, type Config } from '../config';
import { startDevServer, type DevServer } from '../devserver/dev-server';
import { createWorker, logWorkerToFile } from '../worker';
import { operationalize } from '../workflows';
import { projectWorkflowId } from '../workflows/names';
import { PROJECT } from '../workflows/search-attributes';
import { connectClient } from './connect';
import { followProject } from './progress';

export interface RunningProject {
  client: Client;
  workflowId: string;
  uiUrl?: string;
  /** Resolves after Ctrl-C (or stop()) has shut everything down. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startProjectWorkflow(client: Client, config: Config): Promise<{ resumed: boolean }> {
  const workflowId = projectWorkflowId(config.project);
  try {
    await client.workflow.start(operationalize, {
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
  print(`Starting the worker (its log: ${workerLog}) ...`);
  const worker = await createWorker(config);
  const workerRun = worker.run();

  const workflowId = projectWorkflowId(config.project);
  const { resumed } = await startProjectWorkflow(client, config);
  const uiUrl = server ? `${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}` : undefined;
  print(resumed ? `Resuming project "${config.project}" (workflow ${workflowId}).` : `Started project "${config.project}" (workflow ${workflowId}).`);
  if (uiUrl) print(`Temporal Web UI: ${uiUrl}`);
  print('Press Ctrl-C to stop; the project resumes where it was on the next start.');

  const following = new AbortController();
  const follow = followProject(client.workflow.getHandle(workflowId), { print, signal: following.signal });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      following.abort();
      await follow.catch(() => undefined);
      // The SDK also reacts to SIGINT on its own; shut down only if it has not started to.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch((err: Error) => print(`worker stopped with an error: ${err.message}`));
      await client.connection.close();
      await server?.stop();
    })());
  return { client, workflowId, uiUrl, done: workerRun.then(() => stopping), stop };
}

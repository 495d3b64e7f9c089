// The worker: runs the retraining workflows and their activities (over one Azure ML client) on the task queue.
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import type { AzureMLClient } from './azureml';
import { ConfigError, loadConfig, type Config } from './config';
import { logWorkerToFile, openWorkspace, temporalAddress } from './runtime';

export async function createWorker(config: Config, client: AzureMLClient): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities({
      client,
      reportsDir: join(config.dataDir, 'reports'),
      webhookBaseUrl: config.webhookPublicUrl,
    }),
  });
}

/** `node dist/src/worker.js`: a worker alone (Docker, or a second worker next to `npm start`). */
async function main(): Promise<void> {
  const config = loadConfig();
  logWorkerToFile(config);
  const workspace = await openWorkspace(config, (line) => console.log(line));
  console.log(
    `Worker on task queue ${config.taskQueue}, Temporal ${temporalAddress(config)}, ${workspace.description}.`,
  );
  const worker = await createWorker(config, workspace.client);
  await worker.run();
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`amlops worker: ${err instanceof ConfigError ? err.message : (err.stack ?? err.message)}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}

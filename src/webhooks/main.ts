// Process entry of the webhook server (node dist/src/webhooks/main.js):
// settings from the environment, then listen until SIGINT/SIGTERM.
import { Client, Connection } from '@temporalio/client';
import { webhookConfigFromEnv, WebhookConfigError } from './config';
import { startWebhookServer } from './server';

async function main(): Promise<void> {
  const config = webhookConfigFromEnv();
  // Lazy: the server starts even while Temporal is down, answering 503 (so senders redeliver) until it is back.
  const connection = Connection.lazy({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const server = await startWebhookServer({
    client,
    taskQueue: config.taskQueue,
    projects: (name) => (name === config.project.project ? config.project : undefined),
    secrets: config.secrets,
    eventGrid: config.eventGrid,
    githubBranches: config.githubBranches,
    host: config.host,
    port: config.port,
    bodyLimitBytes: config.bodyLimitBytes,
    temporalTimeoutMs: config.temporal.timeoutMs,
    logLevel: config.logLevel,
  });
  const on = Object.entries({
    github: config.secrets.github,
    eventgrid: config.secrets.eventGrid,
    retrain: config.secrets.token,
  })
    .filter(([, s]) => s)
    .map(([name]) => `${server.url}/hooks/${name}/${config.project.project}`);
  process.stdout.write(
    `amlops webhooks listening on ${server.url} (Temporal ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.taskQueue})\n` +
      on.map((u) => `  POST ${u}\n`).join(''),
  );

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal}: finishing in-flight webhooks, then exiting\n`);
    void server
      .close()
      .then(() => connection.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof WebhookConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`amlops webhooks could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

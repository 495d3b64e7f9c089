// Process entry (dist/src/emulator/main.js): starts the local workspace from env/args and prints how to connect.
import { startLocalWorkspace } from './workspace';

/**
 * Configuration: --data-dir DIR (or AMLOPS_EMULATOR_DATA_DIR, default ./.amlops/workspace),
 * --port N (AMLOPS_EMULATOR_PORT), --azurite-port N (AMLOPS_EMULATOR_AZURITE_PORT),
 * --azurite-endpoint URL (AMLOPS_EMULATOR_AZURITE_ENDPOINT, connect instead of start),
 * AMLOPS_EMULATOR_FAULTS (JSON fault rules). Prints one JSON line on stdout when ready; SIGINT/SIGTERM stop it cleanly.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dataDir = arg('data-dir') ?? process.env.AMLOPS_EMULATOR_DATA_DIR ?? '.amlops/workspace';
  const port = Number(arg('port') ?? process.env.AMLOPS_EMULATOR_PORT ?? 0);
  const azuritePort = arg('azurite-port') ?? process.env.AMLOPS_EMULATOR_AZURITE_PORT;
  const azuriteEndpoint = arg('azurite-endpoint') ?? process.env.AMLOPS_EMULATOR_AZURITE_ENDPOINT;
  const started = Date.now();
  const ws = await startLocalWorkspace({
    dataDir,
    port,
    azurite: azuriteEndpoint
      ? { connect: { blobEndpoint: azuriteEndpoint } }
      : azuritePort
        ? { port: Number(azuritePort) }
        : {},
  });
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      endpoint: ws.endpoint,
      caCertificatePath: ws.caCertificatePath,
      subscriptionId: ws.subscriptionId,
      resourceGroup: ws.resourceGroup,
      workspaceName: ws.workspaceName,
      dataDir: ws.dataDir,
      blobEndpoint: ws.blob.blobEndpoint,
      startMs: Date.now() - started,
    })}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    ws.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`amlops local workspace failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

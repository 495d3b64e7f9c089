// `npm start`: runs the main job (see run-project.ts) until Ctrl-C.
import { ConfigError, loadConfig } from '../config';
import { UserError } from './connect';
import { onStopSignal, runProject } from './run-project';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await runProject(config, (line) => console.log(line));
  onStopSignal(running);
  await running.done;
}

main().catch((err: Error) => {
  console.error(
    err instanceof ConfigError || err instanceof UserError ? err.message : `amlops: ${err.stack ?? err.message}`,
  );
  process.exit(err instanceof ConfigError ? 2 : 1);
});

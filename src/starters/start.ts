// `npm start`: runs the main job (see run-project.ts) until Ctrl-C.
import { ConfigError, loadConfig } from '../config';
import { UserError } from './connect';
import { runProject } from './run-project';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await runProject(config, (line) => console.log(line));
  const shutdown = () => {
    console.log('\nShutting down (in-flight steps resume on the next start) ...');
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await running.done;
}

main().catch((err: Error) => {
  console.error(err instanceof ConfigError || err instanceof UserError ? err.message : `amlops: ${err.stack ?? err.message}`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});

// `node dist/src/devserver/ensure-cli.js`: make sure the Temporal CLI exists (used before tests and by CI).
import { ensureTemporalCli, temporalCliVersion } from './temporal-cli';

ensureTemporalCli()
  .then((path) => console.log(`Temporal CLI: ${path} (${temporalCliVersion(path).split('\n')[0]})`))
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });

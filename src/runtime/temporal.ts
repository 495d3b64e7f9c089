// Where the Temporal server is: the configured address, or the local dev server `npm start` runs.
import type { Config } from '../config';

export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;
}

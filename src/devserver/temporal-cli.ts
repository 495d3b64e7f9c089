// Finds the Temporal CLI (which runs the dev server), building it with Go into a per-user cache when absent.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
// The last tag whose go.mod has no `replace`, so `go install` can build it (bundled server 1.29.1, UI 2.42.1).
const MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export class TemporalCliMissing extends Error {
  override name = 'TemporalCliMissing';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'amlops', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function goBinary(): string | undefined {
  return onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** Where the CLI is, without building anything. */
export function locateTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!executable(fromEnv))
      throw new TemporalCliMissing(
        `TEMPORAL_CLI_PATH=${fromEnv} is not an executable file. Point it at the temporal binary or unset it.`,
      );
    return fromEnv;
  }
  const cached = join(cacheDir(), 'temporal');
  return onPath('temporal') ?? (executable(cached) ? cached : undefined);
}

/** The CLI's path; builds it with `go install` (several minutes, progress printed) when it is nowhere to be found. */
export async function ensureTemporalCli(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<string> {
  const found = locateTemporalCli();
  if (found) return found;
  const go = goBinary();
  if (!go) {
    throw new TemporalCliMissing(
      'The Temporal CLI was not found and Go is not installed to build it. Either install it ' +
        '(https://docs.temporal.io/cli, then put `temporal` on PATH or set TEMPORAL_CLI_PATH), ' +
        `or install Go >= 1.25 and run this again: it builds ${MODULE} into ${cacheDir()}.`,
    );
  }
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (once; takes a few minutes)...`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', '-v', MODULE], {
      env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let packages = 0;
    let tail = '';
    const ticker = setInterval(
      () => log(`  ... still building (${packages} packages, ${Math.round((Date.now() - started) / 1000)} s)`),
      15000,
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      packages += chunk.split('\n').filter(Boolean).length;
      tail = (tail + chunk).slice(-4000);
    });
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(new TemporalCliMissing(`Could not run ${go}: ${err.message}`));
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new TemporalCliMissing(`go install ${MODULE} failed (exit ${code}). Last output:\n${tail}`));
    });
  });
  const built = join(dir, 'temporal');
  if (!executable(built)) throw new TemporalCliMissing(`go install finished but ${built} is missing.`);
  log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${built}`);
  return built;
}

export function temporalCliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

// The persistent resource store: one JSON file per resource under dataDir/state/{kind}/, held in memory for reads.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Kind =
  | 'computes'
  | 'dataContainers'
  | 'dataVersions'
  | 'modelContainers'
  | 'modelVersions'
  | 'jobs'
  | 'runs'
  | 'onlineEndpoints'
  | 'onlineDeployments'
  | 'endpointKeys'
  | 'batchEndpoints'
  | 'batchDeployments'
  | 'batchJobs'
  | 'schedules'
  | 'operations';

export class Store {
  private readonly maps = new Map<Kind, Map<string, unknown>>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Reads everything on disk; called once at start-up. */
  load(): void {
    for (const kind of readdirSync(this.dir)) {
      const kindDir = join(this.dir, kind);
      const map = this.map(kind as Kind);
      for (const file of readdirSync(kindDir)) {
        if (!file.endsWith('.json')) continue;
        try {
          map.set(decodeURIComponent(file.slice(0, -5)), JSON.parse(readFileSync(join(kindDir, file), 'utf8')));
        } catch {
          // A torn file (crash between write and rename cannot produce one, but a disk-full can) is skipped, not fatal.
        }
      }
    }
  }

  get<T>(kind: Kind, key: string): T | undefined {
    return this.map(kind).get(key.toLowerCase()) as T | undefined;
  }

  has(kind: Kind, key: string): boolean {
    return this.map(kind).has(key.toLowerCase());
  }

  /** Writes through to disk (temp file + rename, so a crash never leaves half a resource). */
  put<T>(kind: Kind, key: string, value: T): T {
    const k = key.toLowerCase();
    this.map(kind).set(k, value);
    const kindDir = join(this.dir, kind);
    if (!existsSync(kindDir)) mkdirSync(kindDir, { recursive: true });
    const file = join(kindDir, `${encodeURIComponent(k)}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(value));
    renameSync(`${file}.tmp`, file);
    return value;
  }

  delete(kind: Kind, key: string): boolean {
    const k = key.toLowerCase();
    const existed = this.map(kind).delete(k);
    rmSync(join(this.dir, kind, `${encodeURIComponent(k)}.json`), { force: true });
    return existed;
  }

  /** Values whose key starts with `prefix` (keys are lower-cased; children are keyed 'parent/child'). */
  list<T>(kind: Kind, prefix = ''): T[] {
    const p = prefix.toLowerCase();
    const out: T[] = [];
    for (const [k, v] of this.map(kind)) if (k.startsWith(p)) out.push(v as T);
    return out;
  }

  private map(kind: Kind): Map<string, unknown> {
    let m = this.maps.get(kind);
    if (!m) {
      m = new Map();
      this.maps.set(kind, m);
    }
    return m;
  }
}

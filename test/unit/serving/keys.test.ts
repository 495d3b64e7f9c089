// Key rotation through the key file: new keys work at once, old keys stop, a broken file keeps the old keys.
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { KeyRing, startScoringServer, type ScoringServer } from '../../../src/serving';
import { TOY_ROWS, toyModel } from './toy-model';

const rows = TOY_ROWS.map(({ y: _y, ...r }) => r);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Write-then-rename, as the local workspace does, so the server never reads a half-written file. */
function writeKeys(file: string, primaryKey: string, secondaryKey?: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ primaryKey, secondaryKey }));
  renameSync(tmp, file);
}

describe('key rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amlops-keys-'));
  const keyFile = join(dir, 'keys.json');
  const logLines: string[] = [];
  let server: ScoringServer;

  beforeAll(async () => {
    writeKeys(keyFile, 'old-primary-0123456789', 'old-secondary-0123456789');
    server = await startScoringServer({
      model: toyModel(),
      keys: { keyFile },
      keyPollIntervalMs: 50,
      logDestination: new Writable({ write: (c: Buffer, _e, done) => (logLines.push(c.toString()), done()) }),
    });
  });
  afterAll(() => server.close());

  const status = async (key: string): Promise<number> =>
    (
      await fetch(server.scoringUri, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ data: rows }),
      })
    ).status;

  it('accepts primary and secondary from the key file', async () => {
    expect(await status('old-primary-0123456789')).toBe(200);
    expect(await status('old-secondary-0123456789')).toBe(200);
    expect(await status('new-primary-0123456789')).toBe(401);
  });

  it('accepts a rotated key on the very next request and drops the replaced key once the file is polled', async () => {
    // Rotate the secondary first (clients move to it), then the primary: no moment without a valid key.
    writeKeys(keyFile, 'old-primary-0123456789', 'new-secondary-0123456789');
    expect(await status('new-secondary-0123456789')).toBe(200);
    expect(await status('old-primary-0123456789')).toBe(200);
    writeKeys(keyFile, 'new-primary-0123456789', 'new-secondary-0123456789');
    await sleep(300);
    expect(await status('old-primary-0123456789')).toBe(401);
    expect(await status('old-secondary-0123456789')).toBe(401);
    expect(await status('new-primary-0123456789')).toBe(200);
  });

  it('keeps the keys in force when the file is rewritten broken, and logs why', async () => {
    writeFileSync(keyFile, '{"primaryKey": 42}');
    await sleep(300);
    expect(await status('new-primary-0123456789')).toBe(200);
    expect(logLines.join('')).toMatch(/keys-reload-failed/);
    expect(logLines.join('')).not.toContain('new-primary-0123456789');
    writeKeys(keyFile, 'third-primary-0123456789');
    server.reloadKeys();
    expect(await status('third-primary-0123456789')).toBe(200);
    expect(await status('new-primary-0123456789')).toBe(401);
  });
});

describe('KeyRing', () => {
  it('refuses an empty key or one with whitespace, and counts short keys as weak', () => {
    expect(() => new KeyRing({ primaryKey: '' })).toThrow(/must not be empty/);
    expect(() => new KeyRing({ primaryKey: 'a b c d e f g h i j' })).toThrow(/whitespace/);
    expect(new KeyRing({ primaryKey: 'abc', secondaryKey: 'k'.repeat(20) }).weakKeys).toBe(1);
  });
  it('refuses an unreadable key file, naming the file', () => {
    expect(() => new KeyRing({ keyFile: '/nonexistent/keys.json' })).toThrow(/\/nonexistent\/keys.json/);
  });
  it('checks Bearer tokens only', () => {
    const ring = new KeyRing({ primaryKey: 'k'.repeat(20), secondaryKey: 's'.repeat(20) });
    expect(ring.check(`Bearer ${'k'.repeat(20)}`)).toBe(true);
    expect(ring.check(`bearer ${'s'.repeat(20)}`)).toBe(true);
    expect(ring.check('k'.repeat(20))).toBe(false);
    expect(ring.check(undefined)).toBe(false);
    expect(ring.check('Bearer ')).toBe(false);
  });
});

// Endpoint keys: where they come from (env values or a key file), rotation while running, and the constant-time check.
import { hash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { z } from 'zod';

/**
 * Where the two endpoint keys come from. A key file is JSON shaped like Azure's listKeys answer,
 * `{"primaryKey": "...", "secondaryKey": "..."}`; rewrite it (ideally write-then-rename) to rotate keys.
 */
export type KeySource = { primaryKey: string; secondaryKey?: string } | { keyFile: string };

/** Shorter keys are accepted (Azure's regenerateKeys takes a caller-chosen keyValue) but reported as weak. */
export const RECOMMENDED_KEY_LENGTH = 16;
const KeyText = z.string().min(1, 'a key must not be empty').regex(/^\S+$/, 'a key must not contain whitespace');
const KeyFileSchema = z.object({ primaryKey: KeyText, secondaryKey: KeyText.optional() });

export interface KeyRingEvents {
  /** Called after keys were re-read (file changed or reload()); never receives key material. */
  onReload?: (info: { keyFile: string; keyCount: number; weakKeys: number }) => void;
  /** Called when a changed key file could not be read; the previous keys stay in force. */
  onReloadError?: (info: { keyFile: string; error: string }) => void;
}

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

function parseKeyFile(keyFile: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(keyFile, 'utf8'));
  } catch (err) {
    throw new Error(
      `cannot read key file ${keyFile}: ${(err as Error).message}; ` +
        'write it as JSON {"primaryKey":"...","secondaryKey":"..."}',
      { cause: err },
    );
  }
  const result = KeyFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`key file ${keyFile} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return [result.data.primaryKey, result.data.secondaryKey].filter((k): k is string => k !== undefined);
}

const fileIdentity = (s: Stats): string => `${s.ino}:${s.size}:${s.mtimeMs}`;

/**
 * Holds the digests of the accepted keys (never the keys' text in logs) and checks a presented
 * Authorization header against all of them in constant time.
 *
 * Rotation: with a key file, the file is polled (fs.watchFile, so write-then-rename works) and
 * re-read when it changes; a failed check also re-reads a changed file first, so a freshly issued
 * key works on the very next request, before the poll notices. reload() re-reads on demand (SIGHUP).
 */
export class KeyRing {
  private digests: Buffer[] = [];
  private identity = '';
  private watching = false;
  /** Keys in force shorter than RECOMMENDED_KEY_LENGTH (reported, not refused). */
  weakKeys = 0;

  constructor(
    private readonly source: KeySource,
    private readonly events: KeyRingEvents = {},
    pollIntervalMs = 500,
  ) {
    if ('keyFile' in source) {
      this.load();
      watchFile(source.keyFile, { interval: pollIntervalMs, persistent: false }, () => this.reloadIfChanged());
      this.watching = true;
    } else {
      const keys = [source.primaryKey, source.secondaryKey].filter((k): k is string => k !== undefined);
      for (const key of keys) {
        const ok = KeyText.safeParse(key);
        if (!ok.success)
          throw new Error(`endpoint key rejected: ${ok.error.issues[0]?.message}; generate a random key`);
      }
      this.digests = keys.map(digest);
      this.weakKeys = keys.filter((k) => k.length < RECOMMENDED_KEY_LENGTH).length;
    }
  }

  /** Number of keys in force (1 or 2). */
  get size(): number {
    return this.digests.length;
  }

  /** True when the header is `Bearer <key>` for one of the keys in force. */
  check(authorization: string | undefined): boolean {
    if (this.matches(authorization)) return true;
    // A changed file may hold a key the caller just received; re-read before refusing.
    if ('keyFile' in this.source && this.reloadIfChanged()) return this.matches(authorization);
    return false;
  }

  /** Re-read the key file now (no-op for keys given as values). Throws if the file is invalid. */
  reload(): void {
    if ('keyFile' in this.source) this.load();
  }

  close(): void {
    if (this.watching && 'keyFile' in this.source) unwatchFile(this.source.keyFile);
    this.watching = false;
  }

  private matches(authorization: string | undefined): boolean {
    const token = bearerToken(authorization);
    if (token === undefined) return false;
    const presented = digest(token);
    let ok = false;
    // Compare against every key, no early exit: timing reveals neither which key nor how close.
    for (const key of this.digests) ok = timingSafeEqual(presented, key) || ok;
    return ok;
  }

  private load(): void {
    const keyFile = (this.source as { keyFile: string }).keyFile;
    const identity = fileIdentity(statSync(keyFile));
    const keys = parseKeyFile(keyFile);
    this.digests = keys.map(digest);
    this.weakKeys = keys.filter((k) => k.length < RECOMMENDED_KEY_LENGTH).length;
    this.identity = identity;
    this.events.onReload?.({ keyFile, keyCount: this.digests.length, weakKeys: this.weakKeys });
  }

  /** Re-reads the key file if it changed; returns whether keys were replaced. Keeps old keys on error. */
  private reloadIfChanged(): boolean {
    const keyFile = (this.source as { keyFile: string }).keyFile;
    let identity: string;
    try {
      identity = fileIdentity(statSync(keyFile));
    } catch {
      return false; // Mid-rename or deleted: keep serving with the keys we have.
    }
    if (identity === this.identity) return false;
    try {
      this.load();
      return true;
    } catch (err) {
      this.identity = identity; // Don't retry the same broken file on every request.
      this.events.onReloadError?.({ keyFile, error: (err as Error).message });
      return false;
    }
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

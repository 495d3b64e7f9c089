// Bearer tokens for the local workspace: an HMAC-signed token minted by LocalWorkspaceCredential,
// checked by the server.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

const PREFIX = 'amlops-local';
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The workspace's token-signing secret, kept in the data dir so tokens and credentials survive restarts. */
export function loadOrCreateTokenSecret(dataDir: string): string {
  const dir = join(dataDir, 'auth');
  const file = join(dir, 'token-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function mintToken(secret: string, subject: string, now = Date.now()): AccessToken {
  const expiresOnTimestamp = now + TOKEN_LIFETIME_MS;
  const payload = Buffer.from(JSON.stringify({ sub: subject, exp: expiresOnTimestamp })).toString('base64url');
  return { token: `${PREFIX}.${payload}.${sign(secret, payload)}`, expiresOnTimestamp };
}

export type TokenCheck = { ok: true; subject: string } | { ok: false; reason: string };

/** Checks an Authorization header value: a Bearer token, signed by this workspace, not expired. */
export function verifyAuthorization(secret: string, header: string | undefined, now = Date.now()): TokenCheck {
  if (!header) return { ok: false, reason: 'The request is missing the Authorization header.' };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return { ok: false, reason: "The Authorization header must be 'Bearer <token>'." };
  const parts = match[1].split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX)
    return { ok: false, reason: 'The access token is not a token issued by this workspace.' };
  const expected = Buffer.from(sign(secret, parts[1]));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'The access token signature is invalid.' };
  }
  let claims: { sub?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
  } catch {
    return { ok: false, reason: 'The access token is malformed.' };
  }
  if (typeof claims.exp !== 'number' || claims.exp < now) return { ok: false, reason: 'The access token has expired.' };
  return { ok: true, subject: typeof claims.sub === 'string' ? claims.sub : 'unknown' };
}

/**
 * A TokenCredential for the local workspace, the stand-in for DefaultAzureCredential: it mints tokens
 * with the workspace's secret (from startLocalWorkspace, or read from the data dir by fromDataDir).
 */
export class LocalWorkspaceCredential implements TokenCredential {
  constructor(
    private readonly secret: string,
    private readonly subject = 'local-user',
  ) {}

  static fromDataDir(dataDir: string): LocalWorkspaceCredential {
    const file = join(dataDir, 'auth', 'token-secret');
    if (!existsSync(file))
      throw new Error(`No local workspace in ${dataDir} (missing auth/token-secret); start it first.`);
    return new LocalWorkspaceCredential(readFileSync(file, 'utf8').trim());
  }

  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    return mintToken(this.secret, this.subject);
  }
}

// Constant-time checks of what webhook senders present: shared tokens and GitHub's HMAC signature.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `presented` equals `expected`, in time independent of where they differ.
 * Both sides are hashed first so timingSafeEqual sees equal lengths and the length of the secret is not leaked.
 */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export type SignatureCheck = { ok: true } | { ok: false; why: string };

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Why a signature header cannot be right whatever the body, or undefined when its form is fine
 * (checked before reading the body).
 */
export function signatureHeaderProblem(header: string | undefined): string | undefined {
  if (!header) return 'the X-Hub-Signature-256 header is missing; set a secret in the GitHub webhook settings';
  if (!SIGNATURE.test(header.trim())) return 'the X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>';
  return undefined;
}

/**
 * Checks GitHub's `X-Hub-Signature-256: sha256=<hex>` header:
 * HMAC-SHA256 of the raw body bytes with the webhook secret.
 */
export function checkGithubSignature(secret: string, rawBody: Buffer, header: string | undefined): SignatureCheck {
  const problem = signatureHeaderProblem(header);
  if (problem || !header) return { ok: false, why: problem ?? 'no signature' };
  const presented = Buffer.from((SIGNATURE.exec(header.trim()) as RegExpExecArray)[1] as string, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // Both are 32 bytes here (the header's form was checked), so timingSafeEqual cannot throw.
  if (!timingSafeEqual(presented, expected)) {
    return {
      ok: false,
      why: "the X-Hub-Signature-256 signature does not match the body; check that the webhook secret matches this server's",
    };
  }
  return { ok: true };
}

/** The signature header GitHub would send for `rawBody` (for tests, the benchmark and hand-made deliveries). */
export function githubSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** The token of an `Authorization: Bearer <token>` header, if that is what was sent. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? (match[1] as string) : undefined;
}

// Mirror traffic: Azure's rules for an endpoint's mirrorTraffic, and the copies of live requests sent to the mirror.
import type { EmulatorContext } from './context';
import { badRequest } from './errors';
import { forwardToDeployment, type ScoringRequest } from './serving/forward';

/**
 * From Azure ML's "Safe rollout for online endpoints": mirror traffic goes to one deployment only, at most 50%, and a
 * deployment takes live or mirror traffic, not both. (The 2024-10-01 spec: values "need to sum to utmost 50".)
 */
export const MAX_MIRROR_PERCENT = 50;

export function checkMirrorTraffic(
  ctx: EmulatorContext,
  endpoint: string,
  mirror: Record<string, number>,
  traffic: Record<string, number>,
): void {
  const field = 'properties.mirrorTraffic';
  for (const [d, share] of Object.entries(mirror)) {
    if (!ctx.store.has('onlineDeployments', `${endpoint}/${d}`)) {
      const message = `Mirror traffic names deployment '${d}', which does not exist in endpoint '${endpoint}'.`;
      throw badRequest(message, `${field}.${d}`, 'UserError');
    }
    if (share > 0 && (traffic[d] ?? 0) > 0) {
      throw badRequest(
        `Deployment '${d}' takes ${traffic[d]}% of live traffic; a deployment takes live or mirror traffic, not both.`,
        `${field}.${d}`,
        'UserError',
      );
    }
  }
  const mirrored = Object.entries(mirror).filter(([, share]) => share > 0);
  if (mirrored.length > 1) {
    const names = mirrored.map(([d]) => d).join(', ');
    throw badRequest(`Mirror traffic can go to one deployment only; it names ${names}.`, field, 'UserError');
  }
  const total = mirrored.reduce((a, [, share]) => a + share, 0);
  if (total > MAX_MIRROR_PERCENT) {
    throw badRequest(`Mirror traffic can be at most ${MAX_MIRROR_PERCENT}%; it is ${total}%.`, field, 'UserError');
  }
}

/** Copies requests to the mirror deployment after the client's answer, and records what the mirror answered. */
export class Mirror {
  private inFlight = 0;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly random: () => number = Math.random,
    /** Copies beyond this many in flight are dropped: a slow shadow must not pile up work beside the live path. */
    private readonly maxInFlight = 64,
  ) {}

  /** Fire and forget: never awaited by the live path, never throws. */
  copy(endpoint: string, mirrorTraffic: Record<string, number> | undefined, request: ScoringRequest): void {
    const [deployment, share] = Object.entries(mirrorTraffic ?? {}).find(([, s]) => s > 0) ?? [];
    if (!deployment || !share || this.random() * 100 >= share || this.inFlight >= this.maxInFlight) return;
    this.inFlight++;
    const started = performance.now();
    forwardToDeployment(this.ctx, endpoint, deployment, request)
      .then((a) => {
        const latencyMs = performance.now() - started;
        const { status, modelStatus } = a;
        this.ctx.liveMetrics.record(endpoint, { deployment, status, modelStatus, latencyMs, mirrored: true });
      })
      .catch(() => {
        // A copy that fails to be sent is lost, as a shadow request may be; the client already has its answer.
      })
      .finally(() => this.inFlight--);
  }
}

// Mirror traffic: copies of live requests sent to the endpoint's mirror deployment (rules: resources/onlineEndpoints).
import type { EmulatorContext } from './context';
import { forwardToDeployment, type ScoringRequest } from './serving/forward';

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

// The scoring front end's request telemetry: every answer per endpoint and deployment, kept in a bounded window.
export interface RequestRecord {
  /** Epoch ms when the answer went out. */
  time: number;
  deployment: string;
  /** The status the caller got (for a mirrored request: the status the mirror deployment answered). */
  status: number;
  /** The scoring server's own status; undefined when the front end answered alone (401, 502, 503). */
  modelStatus?: number;
  latencyMs: number;
  mirrored?: boolean;
}

export interface LiveMetricsLimits {
  /** Records kept per endpoint; the oldest go first. 50,000 is over 15 minutes at 50 requests/s. */
  maxPerEndpoint: number;
  /** Records older than this are dropped on the next write. */
  maxAgeMs: number;
}

const DEFAULT_LIMITS: LiveMetricsLimits = { maxPerEndpoint: 50_000, maxAgeMs: 60 * 60 * 1000 };

/** A ring per endpoint, in time order, so a window query is two binary searches. */
class Ring {
  private readonly items: RequestRecord[] = [];
  private head = 0;

  push(r: RequestRecord, limits: LiveMetricsLimits): void {
    this.items.push(r);
    const tooOld = r.time - limits.maxAgeMs;
    while (this.size() > limits.maxPerEndpoint || this.items[this.head].time < tooOld) this.head++;
    // Compact once the dead prefix is as large as the live part, so pushes stay amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  size(): number {
    return this.items.length - this.head;
  }

  /** Records with from <= time < to (records are pushed as answers go out, so they are in time order). */
  between(from: number, to: number): RequestRecord[] {
    return this.items.slice(this.lowerBound(from), this.lowerBound(to));
  }

  private lowerBound(t: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].time < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class LiveMetrics {
  private readonly rings = new Map<string, Ring>();

  constructor(
    private readonly limits: LiveMetricsLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  record(endpoint: string, r: Omit<RequestRecord, 'time'>): void {
    const key = endpoint.toLowerCase();
    let ring = this.rings.get(key);
    if (!ring) {
      ring = new Ring();
      this.rings.set(key, ring);
    }
    ring.push({ ...r, time: this.now() }, this.limits);
  }

  between(endpoint: string, from: number, to: number): RequestRecord[] {
    return this.rings.get(endpoint.toLowerCase())?.between(from, to) ?? [];
  }

  /** An endpoint's telemetry goes with it, as Azure's metrics go with the resource. */
  forget(endpoint: string): void {
    this.rings.delete(endpoint.toLowerCase());
  }
}

// A compute cluster as a pool of local worker slots: jobs wait for slots, nodes scale up on demand and down after idle.
export interface ScaleSettings {
  minNodeCount: number;
  maxNodeCount: number;
  idleSeconds: number;
}

interface Waiter {
  n: number;
  resolve: (release: () => void) => void;
  reject: (err: Error) => void;
}

export class ClusterPool {
  private busy = 0;
  private nodes: number;
  private readonly queue: Waiter[] = [];
  private idleTimer?: NodeJS.Timeout;

  constructor(
    readonly name: string,
    private settings: ScaleSettings,
  ) {
    this.nodes = settings.minNodeCount;
  }

  get state(): { currentNodeCount: number; busy: number; queued: number; settings: ScaleSettings } {
    return { currentNodeCount: this.nodes, busy: this.busy, queued: this.queue.length, settings: { ...this.settings } };
  }

  resize(settings: ScaleSettings): void {
    this.settings = settings;
    this.nodes = Math.min(Math.max(this.nodes, settings.minNodeCount), Math.max(settings.maxNodeCount, this.busy));
    this.dispatch();
  }

  /** Waits until `n` slots (at most the cluster's max) are free; resolves with the function that frees them. */
  acquire(n: number, signal?: AbortSignal): Promise<() => void> {
    const want = Math.max(1, Math.min(n, this.settings.maxNodeCount));
    if (this.settings.maxNodeCount < 1)
      return Promise.reject(new Error(`Cluster '${this.name}' has maxNodeCount 0: no node can run the job.`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { n: want, resolve, reject };
      this.queue.push(waiter);
      signal?.addEventListener('abort', () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(new Error('canceled while queued'));
        }
      });
      this.dispatch();
    });
  }

  /** Drops waiters (the cluster is being deleted). */
  close(): void {
    clearTimeout(this.idleTimer);
    for (const w of this.queue.splice(0)) w.reject(new Error(`Cluster '${this.name}' was deleted.`));
  }

  private dispatch(): void {
    // FIFO: the head of the queue waits for enough slots; later, smaller jobs do not overtake it.
    while (this.queue.length && this.settings.maxNodeCount - this.busy >= this.queue[0].n) {
      const w = this.queue.shift()!;
      this.busy += w.n;
      this.nodes = Math.max(this.nodes, this.busy);
      clearTimeout(this.idleTimer);
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        this.busy -= w.n;
        this.scheduleScaleDown();
        this.dispatch();
      });
    }
  }

  private scheduleScaleDown(): void {
    clearTimeout(this.idleTimer);
    if (this.nodes <= Math.max(this.busy, this.settings.minNodeCount)) return;
    this.idleTimer = setTimeout(() => {
      this.nodes = Math.max(this.busy, this.settings.minNodeCount);
    }, this.settings.idleSeconds * 1000);
    this.idleTimer.unref();
  }
}

export class Pools {
  private readonly pools = new Map<string, ClusterPool>();

  ensure(name: string, settings: ScaleSettings): ClusterPool {
    const key = name.toLowerCase();
    const existing = this.pools.get(key);
    if (existing) {
      existing.resize(settings);
      return existing;
    }
    const pool = new ClusterPool(name, settings);
    this.pools.set(key, pool);
    return pool;
  }

  get(name: string): ClusterPool | undefined {
    return this.pools.get(name.toLowerCase());
  }

  remove(name: string): void {
    this.pools.get(name.toLowerCase())?.close();
    this.pools.delete(name.toLowerCase());
  }

  closeAll(): void {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
  }
}

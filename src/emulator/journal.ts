// The request journal: what was called, how it was answered and when, so tests can count side effects.
export interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** Azure operationId of the route (e.g. Jobs_CreateOrUpdate), when the route has one. */
  operation?: string;
  status: number;
  durationMs: number;
  /** Set when fault injection answered instead of the handler. */
  injected?: boolean;
}

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 20_000) {}

  record(entry: Omit<JournalEntry, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    // A ring buffer: a long-running emulator keeps the recent past, not all of it.
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** Entries after sequence number `since`, optionally only one operation or method. */
  list(filter: { since?: number; operation?: string; method?: string; pathContains?: string } = {}): JournalEntry[] {
    return this.entries.filter(
      (e) =>
        e.seq > (filter.since ?? 0) &&
        (!filter.operation || e.operation === filter.operation) &&
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.pathContains || e.path.toLowerCase().includes(filter.pathContains.toLowerCase())),
    );
  }

  clear(): void {
    this.entries = [];
  }

  get lastSeq(): number {
    return this.seq;
  }
}

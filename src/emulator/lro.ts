// Long-running operations: an operation record per PUT/DELETE, polled by the SDK via Azure-AsyncOperation / Location.
import { randomUUID } from 'node:crypto';
import type { Store } from './store';
import { AzureError } from './errors';
import { PROVIDER, type WorkspaceIdentity } from './ids';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface OperationRecord {
  id: string;
  name: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

export class Operations {
  constructor(
    private readonly store: Store,
    private readonly ws: WorkspaceIdentity,
    private readonly baseUrl: () => string,
    /** Retry-After (seconds) on LRO answers; 0 leaves the polling interval to the client. */
    private readonly retryAfterSeconds: number,
  ) {}

  /**
   * Runs `work` in the background under a new operation and returns the headers that point the SDK's poller at it.
   * An AzureError thrown by `work` becomes the operation's error, as Azure reports failed provisioning.
   */
  start(work: () => Promise<void>, opts: { withLocation?: boolean } = {}): Record<string, string> {
    const name = randomUUID();
    const record: OperationRecord = {
      id: this.statusPath(name),
      name,
      status: 'InProgress',
      startTime: new Date().toISOString(),
    };
    this.store.put('operations', name, record);
    // setImmediate: the 201/202 answer goes out before the work starts, as on Azure.
    setImmediate(() => {
      work().then(
        () => this.finish(name, 'Succeeded'),
        (err: unknown) => {
          const e =
            err instanceof AzureError
              ? { code: err.code, message: err.message }
              : { code: 'InternalError', message: String((err as Error)?.message ?? err) };
          this.finish(name, 'Failed', e);
        },
      );
    });
    return this.headers(name, opts.withLocation ?? false);
  }

  get(name: string): OperationRecord | undefined {
    return this.store.get<OperationRecord>('operations', name);
  }

  /** Operations still InProgress when the emulator stopped cannot finish: fail them with the reason. */
  failInterrupted(): void {
    for (const op of this.store.list<OperationRecord>('operations')) {
      if (op.status === 'InProgress')
        this.finish(op.name, 'Failed', {
          code: 'OperationInterrupted',
          message: 'The local workspace stopped while this operation was in progress.',
        });
    }
  }

  private finish(name: string, status: OperationStatus, error?: OperationRecord['error']): void {
    const op = this.get(name);
    if (!op) return;
    this.store.put('operations', name, {
      ...op,
      status,
      endTime: new Date().toISOString(),
      ...(error ? { error } : {}),
    });
  }

  private statusPath(name: string): string {
    return `/subscriptions/${this.ws.subscriptionId}/providers/${PROVIDER}/locations/${this.ws.location}/mfeOperationsStatus/${name}`;
  }

  private headers(name: string, withLocation: boolean): Record<string, string> {
    const q = '?api-version=2022-10-01';
    const h: Record<string, string> = { 'Azure-AsyncOperation': `${this.baseUrl()}${this.statusPath(name)}${q}` };
    if (withLocation)
      h.Location = `${this.baseUrl()}/subscriptions/${this.ws.subscriptionId}/providers/${PROVIDER}/locations/${this.ws.location}/mfeOperationResults/${name}${q}`;
    if (this.retryAfterSeconds > 0) h['Retry-After'] = String(this.retryAfterSeconds);
    return h;
  }
}

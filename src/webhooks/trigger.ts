// Turns one accepted webhook event into a `retrain` signal-with-start on the project's workflow, within a deadline.
import { isGrpcServiceError, type Client } from '@temporalio/client';
import {
  PROJECT_WORKFLOW,
  projectWorkflowId,
  retrainSignal,
  type ProjectInput,
  type ProjectWorkflow,
  type RetrainRequest,
} from '../contract';
import { WebhookError } from './errors';

/** The part of a Temporal Client the webhook server uses (a unit test may hand in a stand-in). */
export type WebhookClient = Pick<Client, 'withDeadline'> & { workflow: Pick<Client['workflow'], 'signalWithStart'> };

export interface TriggerResult {
  workflowId: string;
}

/** Records `request` on the project's workflow, starting the workflow if it is not running. */
export type TriggerRetrain = (project: ProjectInput, request: RetrainRequest) => Promise<TriggerResult>;

// gRPC status codes (https://grpc.io/docs/guides/status-codes/); @grpc/grpc-js is not our direct dependency.
const grpcStatus = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;
// Codes that mean "Temporal could not be reached or did not answer in time": the sender should redeliver later.
const UNREACHABLE = new Set<number>([
  grpcStatus.UNAVAILABLE,
  grpcStatus.DEADLINE_EXCEEDED,
  grpcStatus.CANCELLED,
  grpcStatus.RESOURCE_EXHAUSTED,
]);

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

class TimedOut extends Error {}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What the sender is told when Temporal did not take the event: nothing was recorded, so redelivery is safe and needed.
 * Anything that is neither a timeout nor a gRPC error is a bug of ours and is rethrown (500, logged with its stack).
 */
export function temporalFailure(err: unknown, timeoutMs: number): WebhookError {
  const code = grpcCode(err);
  if (!(err instanceof TimedOut) && code === undefined) throw err;
  if (err instanceof TimedOut || UNREACHABLE.has(code as number)) {
    const why =
      err instanceof TimedOut || code === grpcStatus.DEADLINE_EXCEEDED
        ? `did not answer within ${timeoutMs} ms`
        : 'is unreachable';
    return new WebhookError(
      503,
      'temporal_unavailable',
      `Temporal ${why}, so the retrain was not recorded;` +
        ` redeliver the event later (it is safe: deliveries are deduplicated by id).`,
      { 'retry-after': '5' },
    );
  }
  // gRPC error details are Temporal's own words (e.g. "Namespace xyz is not found"), never our secrets.
  const message = err instanceof Error ? err.message : String(err);
  return new WebhookError(
    502,
    'temporal_refused',
    `Temporal refused the retrain: ${message}. Check the namespace and task queue this server uses.`,
  );
}

export interface TemporalTrigger {
  send: TriggerRetrain;
  /**
   * Resolves once no call to Temporal is in flight (or after timeoutMs + 6 s); the server awaits it on close so the
   * connection can be closed safely.
   */
  settle(): Promise<void>;
}

export function temporalTrigger(client: WebhookClient, taskQueue: string, timeoutMs: number): TemporalTrigger {
  // Calls the sender stopped waiting for: the client's retry loop may still hold one for a backoff interval (<= 5 s)
  // until it sees the deadline has passed. Closing the connection under it would throw from a timer.
  const inFlight = new Set<Promise<unknown>>();
  const send: TriggerRetrain = async (project, request) => {
    const workflowId = projectWorkflowId(project.project);
    const call = client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.signalWithStart<ProjectWorkflow, [RetrainRequest]>(PROJECT_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [project],
        signal: retrainSignal,
        signalArgs: [request],
      }),
    );
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    try {
      // The gRPC deadline is only checked when the client's retry loop starts its next attempt, up to 5 s later;
      // the timer makes sure the sender has its answer within timeoutMs.
      await within(timeoutMs, call);
    } catch (err) {
      throw temporalFailure(err, timeoutMs);
    }
    return { workflowId };
  };
  // Bounded: 5 s is the client's longest retry backoff, after which every call has met its deadline.
  const settle = async () => {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs + 6000)));
    await Promise.race([Promise.all([...inFlight]), cap]);
    clearTimeout(timer);
  };
  return { send, settle };
}

// What every step needs: the Azure ML client and where reports go; plus heartbeats and cancellable waits.
import { Context } from '@temporalio/activity';
import type { AzureMLClient } from '../azureml';
import type { Activities, Step } from '../contract';

export interface ActivityDeps {
  client: AzureMLClient;
  /** Where smoke-test and benchmark reports are written, one folder per project and cycle. */
  reportsDir: string;
  /** Public base URL of the webhook server, for the retraining trigger URL publishPipeline hands out. */
  webhookBaseUrl?: string;
}

/** How often a running step tells Temporal it is alive; the workflow's heartbeatTimeout is a few of these. */
export const HEARTBEAT_EVERY_MS = 3000;

const lastDetails = new WeakMap<Context, unknown>();

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // not inside an activity (plain unit calls)
  }
}

/** Heartbeats with progress details; the background heartbeat repeats the latest ones. */
export function beat(details?: unknown): void {
  const ctx = currentContext();
  if (!ctx) return;
  if (details !== undefined) lastDetails.set(ctx, details);
  ctx.heartbeat(lastDetails.get(ctx));
}

/** Sleeps between polls; ends early (throwing) when Temporal cancels the activity. */
export async function pause(seconds: number): Promise<void> {
  const ctx = Context.current();
  await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), ctx.cancelled]);
}

/**
 * Runs a cycle step, heartbeating every few seconds, so a worker that dies mid-step is noticed within the
 * heartbeatTimeout (not the step's whole startToCloseTimeout) and the step is retried elsewhere. The server keeps
 * the step's attempt, last failure and latest heartbeat, which is what `amlops status` shows of a running step.
 */
export function asStep<I, O>(step: Step | keyof Activities, run: (input: I) => Promise<O>): (input: I) => Promise<O> {
  const named = {
    async [step](input: I): Promise<O> {
      beat();
      const timer = setInterval(() => beat(), HEARTBEAT_EVERY_MS);
      try {
        return await run(input);
      } finally {
        clearInterval(timer);
      }
    },
  };
  return named[step];
}

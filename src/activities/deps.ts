// What every step needs: the Azure ML client and where reports go; plus heartbeats and cancellable waits.
import { Context } from '@temporalio/activity';
import type { AzureMLClient } from '../azureml';
import { cycleProgressSignal, cycleOwner, type CycleProgress, type Step } from '../contract';

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

/** Tells the project workflow that this cycle step started or failed (fire-and-forget: status only). */
function report(ctx: Context, step: Step, event: CycleProgress['event'], error?: string): void {
  const owner = cycleOwner(ctx.info.workflowExecution?.workflowId ?? '');
  if (!owner) return; // run outside a project (e.g. a cycle started on its own)
  const progress: CycleProgress = { cycle: owner.cycle, step, event, at: new Date().toISOString(), attempt: ctx.info.attempt, ...(error ? { error } : {}) };
  ctx.client.workflow.getHandle(owner.projectWorkflowId).signal(cycleProgressSignal, progress).catch(() => undefined);
}

/**
 * Runs a cycle step: reports its start and failures to the project (live status with attempts), and heartbeats every
 * few seconds, so a worker that dies mid-step is noticed within the heartbeatTimeout (not the step's whole
 * startToCloseTimeout) and the step is retried elsewhere.
 */
export function asStep<I, O>(step: Step, run: (input: I) => Promise<O>): (input: I) => Promise<O> {
  const named = {
    async [step](input: I): Promise<O> {
      const ctx = currentContext();
      if (ctx) report(ctx, step, 'started');
      beat();
      const timer = setInterval(() => beat(), HEARTBEAT_EVERY_MS);
      try {
        return await run(input);
      } catch (err) {
        if (ctx) report(ctx, step, 'failed', err instanceof Error ? err.message : String(err));
        throw err;
      } finally {
        clearInterval(timer);
      }
    },
  };
  return named[step];
}

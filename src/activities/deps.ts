// What every step needs: the Azure ML client and where reports go; plus waiting that honours cancellation.
import { Context } from '@temporalio/activity';
import type { AzureMLClient } from '../azureml';

export interface ActivityDeps {
  client: AzureMLClient;
  /** Where smoke-test and benchmark reports are written, one folder per project and cycle. */
  reportsDir: string;
  /** Public base URL of the webhook server, for the retraining trigger URL publishPipeline hands out. */
  webhookBaseUrl?: string;
}

/** Sleeps between polls; ends early (throwing) when Temporal cancels the activity. */
export async function pause(seconds: number): Promise<void> {
  const ctx = Context.current();
  await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), ctx.cancelled]);
}

/** Heartbeats if running inside an activity (a no-op in plain unit calls). */
export function beat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not inside an activity
  }
}

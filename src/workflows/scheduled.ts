// What a Temporal Schedule starts: a tiny workflow that sends `retrain` to the project's workflow.
import { getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import { projectWorkflowId, retrainSignal } from '../contract';

export async function scheduledRetrain(input: {
  project: string;
  reason?: string;
  datasetUri?: string;
}): Promise<void> {
  // Each fire gets its own workflow id from the schedule, so it is a natural idempotency key.
  const { workflowId } = workflowInfo();
  await getExternalWorkflowHandle(projectWorkflowId(input.project)).signal(retrainSignal, {
    requestId: `schedule:${workflowId}`,
    reason: input.reason ?? 'scheduled retrain',
    source: 'schedule',
    ...(input.datasetUri ? { datasetUri: input.datasetUri } : {}),
  });
}

// waitForAutoML: follows the job to its end, heartbeating its progress; a retry re-attaches to the same job, never
// submits one.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { call, runTag } from '../azureml';
import type { AutoMLOutcome, WaitForAutoMLInput } from '../contract';
import { beat, pause, type ActivityDeps } from './deps';

const RUNNING = new Set([
  'NotStarted',
  'Starting',
  'Provisioning',
  'Preparing',
  'Queued',
  'Running',
  'Finalizing',
  'CancelRequested',
  'NotResponding',
  'Paused',
  'Unknown',
]);

export interface AutoMLProgress {
  status: string;
  trialsDone?: number;
  bestMetric?: number;
}

export const waitForAutoML = ({ client }: ActivityDeps) =>
  async function waitForAutoML({ jobName, primaryMetric }: WaitForAutoMLInput): Promise<AutoMLOutcome> {
    const ctx = Context.current();
    for (;;) {
      if (ctx.cancellationSignal.aborted) {
        // The cycle was cancelled: stop paying for the cluster too.
        await client.arm.jobs.beginCancelAndWait(client.rg, client.ws, jobName).catch(() => undefined);
        throw new CancelledFailure(`AutoML job ${jobName} cancelled`);
      }
      const job = await call(`read job ${jobName}`, () => client.arm.jobs.get(client.rg, client.ws, jobName));
      const status = job.properties.status ?? 'Unknown';
      const props = (job.properties.properties ?? {}) as Record<string, string>;
      const progress: AutoMLProgress = {
        status,
        ...(props['azureml.trialsDone'] ? { trialsDone: Number(props['azureml.trialsDone']) } : {}),
        ...(props['azureml.bestMetric'] ? { bestMetric: Number(props['azureml.bestMetric']) } : {}),
      };
      beat(progress);

      if (status === 'Completed') {
        // Azure's way to the best model: the parent run's MLflow tag.
        const run = await client.mlflowRun(jobName);
        const best = runTag(run, 'automl_best_child_run_id');
        if (!best)
          throw ApplicationFailure.create({
            type: 'NoBestModel',
            nonRetryable: true,
            message: `AutoML job ${jobName} completed without a best model (no automl_best_child_run_id tag).`,
          });
        const score = Number(runTag(run, 'best_score') ?? props.score ?? progress.bestMetric);
        return {
          jobName,
          status: 'Completed',
          bestChildRunId: best,
          bestMetric: score,
          trialsDone: progress.trialsDone ?? 0,
        };
      }
      if (!RUNNING.has(status)) {
        const reason = props['azureml.error.message'] ?? `the job ended ${status}`;
        throw ApplicationFailure.create({
          type: `AutoMLJob${status}`,
          nonRetryable: true,
          message:
            `AutoML job ${jobName} ${status.toLowerCase()}: ${reason}.` +
            ` Metric ${primaryMetric}; see the job in the workspace for its logs.`,
        });
      }
      // Azure polls every 30 s; asStep() keeps the worker's pulse meanwhile.
      await pause(client.target.pollSeconds);
    }
  };

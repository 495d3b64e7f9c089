// The project's retrain schedule: a Temporal Schedule that starts `scheduledRetrain`, which signals `retrain`.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { INTERVAL, SCHEDULED_RETRAIN_WORKFLOW, scheduleId } from './contract';

export interface RetrainSchedule {
  /** Interval such as 30m, 12h or 7d. */
  every?: string;
  /** Cron expression (UTC), e.g. "0 3 * * 1". */
  cron?: string;
}

/** Creates the schedule; `created: false` when one of that name exists already (it is left as it is). */
export async function createRetrainSchedule(
  client: Client,
  opts: { project: string; taskQueue: string; name?: string; schedule: RetrainSchedule },
): Promise<{ scheduleId: string; created: boolean }> {
  const name = opts.name ?? 'retrain';
  const id = scheduleId(opts.project, name);
  const { every, cron } = opts.schedule;
  if (!every === !cron) {
    throw new Error('A retrain schedule needs exactly one of: an interval (every, e.g. 1d) or a cron expression.');
  }
  if (every && !INTERVAL.test(every)) {
    throw new Error(`The retrain interval must look like 30m, 12h or 1d, got "${every}".`);
  }
  try {
    await client.schedule.create({
      scheduleId: id,
      spec: cron ? { cronExpressions: [cron] } : { intervals: [{ every: every as `${number}d` }] },
      action: {
        type: 'startWorkflow',
        workflowType: SCHEDULED_RETRAIN_WORKFLOW,
        taskQueue: opts.taskQueue,
        args: [{ project: opts.project, reason: `schedule ${name}` }],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return { scheduleId: id, created: true };
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return { scheduleId: id, created: false };
    throw err;
  }
}

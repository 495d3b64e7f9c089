// Jobs: AutoML classification jobs validated and stored here; the runner (jobs/runner.ts) does the work.
import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { badRequest, conflict, notFound } from '../errors';
import { armChild, systemData, workspaceId } from '../ids';
import { checkName } from '../http';
import { parseJobBody, computeNameOf, type AutoMLJobProperties } from '../jobs/spec';
import { TERMINAL, type StoredJob } from '../jobs/runner';
import * as computes from './computes';
import { resolveDataInput } from './data';

export function get(ctx: EmulatorContext, name: string): StoredJob | undefined {
  return ctx.jobs.get(name);
}

/** Newest first, optionally only one job type or jobs carrying a tag. */
export function list(ctx: EmulatorContext, filter: { jobType?: string; tag?: string }): StoredJob[] {
  let jobs = ctx.store.list<StoredJob>('jobs');
  const { jobType, tag } = filter;
  if (jobType) jobs = jobs.filter((j) => j.properties.jobType === jobType);
  if (tag) jobs = jobs.filter((j) => tag in (j.properties.tags ?? {}));
  return jobs.sort((a, b) => b.systemData.createdAt.localeCompare(a.systemData.createdAt));
}

export function createOrUpdate(ctx: EmulatorContext, name: string, body: unknown): Upsert<StoredJob> {
  return submit(ctx, checkName(name, 'id'), body);
}

/**
 * Validates and stores a job, then starts it (job PUT is synchronous on Azure: no provisioning LRO). Schedules submit
 * through here too, under names they derive.
 */
export function submit(ctx: EmulatorContext, name: string, body: unknown): Upsert<StoredJob> {
  const props: AutoMLJobProperties = parseJobBody(body);
  const existing = get(ctx, name);
  if (existing) {
    // A retried identical PUT is answered with the job as it is now; a different job under the same name is a conflict.
    const same =
      JSON.stringify(existing.properties.taskDetails) === JSON.stringify(props.taskDetails) &&
      computeNameOf(existing.properties.computeId) === computeNameOf(props.computeId);
    if (!same) {
      const why = 'job definitions cannot be changed. Use a new job name';
      throw conflict(`Job '${name}' already exists with a different definition; ${why}.`, 'properties');
    }
    return { resource: existing, created: false };
  }
  const compute = computes.get(ctx, computeNameOf(props.computeId));
  if (!compute || compute.properties.provisioningState === 'Deleting') {
    const message = `Compute '${computeNameOf(props.computeId)}' was not found in this workspace.`;
    throw badRequest(message, 'properties.computeId', 'UserError');
  }
  resolveDataInput(ctx, props.taskDetails.trainingData.uri, props.taskDetails.trainingData.jobInputType);
  const now = new Date().toISOString();
  const tracking = `${ctx.baseUrl().replace(/^https:/, 'azureml:')}/mlflow/v1.0${workspaceId(ctx.ws)}`;
  const job: StoredJob = {
    ...armChild(ctx.ws, 'jobs', name),
    systemData: systemData(now),
    properties: {
      ...props,
      computeId: compute.id,
      experimentName: props.experimentName ?? 'Default',
      displayName: props.displayName ?? name,
      status: 'NotStarted',
      tags: props.tags ?? {},
      properties: props.properties ?? {},
      outputs: props.outputs ?? {},
      services: {
        Tracking: { jobServiceType: 'Tracking', endpoint: tracking },
        Studio: { jobServiceType: 'Studio', endpoint: `${ctx.baseUrl()}/studio/jobs/${name}` },
      },
    },
  };
  ctx.store.put('jobs', name, job);
  ctx.jobs.start(name);
  return { resource: job, created: true };
}

/** Asks the runner to stop the job; returns the wait for it to end, which runs as the cancel's LRO. */
export function cancel(ctx: EmulatorContext, name: string): () => Promise<void> {
  const job = get(ctx, name);
  if (!job) throw notFound('job', name);
  ctx.jobs.cancel(job.name);
  return async () => {
    while (!TERMINAL.has(get(ctx, job.name)?.properties.status ?? 'Canceled')) await delay(50);
  };
}

/** Cancels the job; its teardown waits for it to end, then forgets it. */
export function remove(ctx: EmulatorContext, name: string): Removal {
  const job = get(ctx, name);
  if (!job) return 'absent';
  ctx.jobs.cancel(job.name);
  return async () => {
    await ctx.jobs.settled(job.name);
    ctx.store.delete('jobs', job.name);
  };
}

/** Jobs that were not finished when the workspace stopped fail (or end Canceled), saying why. */
export function recover(ctx: EmulatorContext): void {
  ctx.jobs.recover();
}

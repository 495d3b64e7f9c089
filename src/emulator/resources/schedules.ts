// Schedules: Cron and Recurrence triggers with a CreateJob action, armed on the scheduler; a fire submits one job.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { AzureError, badRequest, notFound } from '../errors';
import { armChild, rewrittenSystemData, type ArmResource } from '../ids';
import { checkName, parse } from '../http';
import { parseJobBody } from '../jobs/spec';
import { parseCron } from '../jobs/cron';
import type { ScheduleTrigger } from '../jobs/scheduler';
import * as jobs from './jobs';
import { setProvisioningState } from './provisioning';

const Window = { startTime: z.string().optional(), endTime: z.string().optional(), timeZone: z.string().optional() };

const Trigger = z.discriminatedUnion('triggerType', [
  z
    .object({
      triggerType: z.literal('Cron'),
      expression: z.string().refine((e) => typeof parseCron(e) !== 'string', {
        message: 'must be a 5-field cron expression, e.g. "0 3 * * *"',
      }),
      ...Window,
    })
    .loose(),
  z
    .object({
      triggerType: z.literal('Recurrence'),
      frequency: z.enum(['Minute', 'Hour', 'Day', 'Week', 'Month']),
      interval: z.number().int().positive(),
      schedule: z.record(z.string(), z.unknown()).optional(),
      ...Window,
    })
    .loose(),
]);

const ScheduleBody = z.object({
  properties: z
    .object({
      displayName: z.string().optional(),
      description: z.string().optional(),
      tags: z.record(z.string(), z.string()).optional(),
      properties: z.record(z.string(), z.string()).optional(),
      isEnabled: z.boolean().default(true),
      trigger: Trigger,
      action: z
        .object({
          actionType: z.literal('CreateJob', { message: "only the 'CreateJob' action is supported locally" }),
          jobDefinition: z.record(z.string(), z.unknown()),
        })
        .loose(),
    })
    .loose(),
});

export interface StoredSchedule extends ArmResource {
  properties: z.infer<typeof ScheduleBody>['properties'] & {
    provisioningState: string;
    properties: Record<string, string>;
  };
}

export function get(ctx: EmulatorContext, name: string): StoredSchedule | undefined {
  return ctx.store.get<StoredSchedule>('schedules', name);
}

export function list(ctx: EmulatorContext): StoredSchedule[] {
  return ctx.store.list<StoredSchedule>('schedules');
}

/** Records what the scheduler did in the schedule's properties bag (amlops.lastJob, amlops.nextRunTime, ...). */
function annotate(ctx: EmulatorContext, name: string, props: Record<string, string>): void {
  const s = get(ctx, name);
  if (!s) return;
  const properties = { ...s.properties, properties: { ...s.properties.properties, ...props } };
  ctx.store.put('schedules', s.name, { ...s, properties });
}

/** The job a schedule submits when it fires at `at`: named after the schedule and the minute, so a fire is one job. */
export function fire(ctx: EmulatorContext, name: string, at: Date): string {
  const s = get(ctx, name);
  if (!s) throw new Error(`schedule ${name} no longer exists`);
  const stamp = at.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const jobName = `${s.name}-${stamp}`;
  jobs.submit(ctx, jobName, { properties: s.properties.action.jobDefinition });
  annotate(ctx, s.name, { 'amlops.lastJob': jobName, 'amlops.lastFiredAt': at.toISOString() });
  return jobName;
}

/** A schedule whose job cannot be submitted (e.g. its data was deleted) records why and keeps its timer. */
export function recordError(ctx: EmulatorContext, name: string, err: unknown): void {
  annotate(ctx, name, { 'amlops.lastError': (err as Error).message ?? String(err) });
}

function arm(ctx: EmulatorContext, s: StoredSchedule): void {
  const next = ctx.scheduler.arm(s.name, s.properties.trigger as ScheduleTrigger, s.properties.isEnabled);
  annotate(ctx, s.name, { 'amlops.nextRunTime': next?.toISOString() ?? '' });
}

/** Stores the schedule Creating (or Updating) once its job definition is valid; provisioning arms its timer. */
export function createOrUpdate(ctx: EmulatorContext, scheduleName: string, body: unknown): Upsert<StoredSchedule> {
  const name = checkName(scheduleName, 'name');
  const { properties } = parse(ScheduleBody, body);
  try {
    parseJobBody({ properties: properties.action.jobDefinition });
  } catch (e) {
    if (!(e instanceof AzureError)) throw e;
    const target = `properties.action.jobDefinition${(e.target ?? '').replace(/^properties/, '')}`;
    throw badRequest(e.message, target, 'UserError');
  }
  const existing = get(ctx, name);
  const s: StoredSchedule = {
    ...armChild(ctx.ws, 'schedules', name),
    systemData: rewrittenSystemData(existing),
    properties: {
      ...properties,
      tags: properties.tags ?? {},
      properties: { ...properties.properties },
      provisioningState: existing ? 'Updating' : 'Creating',
    },
  };
  ctx.store.put('schedules', name, s);
  const provision = async () => {
    const cur = setProvisioningState<StoredSchedule>(ctx, 'schedules', name, 'Succeeded');
    if (cur) arm(ctx, cur);
  };
  return { resource: s, created: !existing, provision };
}

/** Disarms the schedule now; its teardown forgets it. */
export function remove(ctx: EmulatorContext, name: string): Removal {
  const s = get(ctx, name);
  if (!s) return 'absent';
  ctx.scheduler.disarm(s.name);
  return async () => void ctx.store.delete('schedules', s.name);
}

/** Fires a schedule now instead of waiting for its trigger (a test hook). */
export function trigger(ctx: EmulatorContext, name: string): { jobName: string } {
  const s = get(ctx, name);
  if (!s) throw notFound('schedule', name);
  return { jobName: fire(ctx, s.name, new Date()) };
}

/** Every schedule's timer is armed again. */
export function recover(ctx: EmulatorContext): void {
  for (const s of list(ctx)) arm(ctx, s);
}

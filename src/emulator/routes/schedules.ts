// Schedules PUT/GET/list/DELETE (Cron and Recurrence triggers, CreateJob action) as LROs; the scheduler fires them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { AzureError, badRequest, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData, type ArmResource } from '../ids';
import { checkName, parse, send } from '../http';
import { parseJobBody } from '../jobs/spec';
import { parseCron } from '../jobs/cron';
import { Scheduler, type ScheduleTrigger } from '../jobs/scheduler';
import { submitJob } from './jobs';

const Trigger = z.discriminatedUnion('triggerType', [
  z.object({
    triggerType: z.literal('Cron'),
    expression: z.string().refine((e) => typeof parseCron(e) !== 'string', { message: 'must be a 5-field cron expression, e.g. "0 3 * * *"' }),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    timeZone: z.string().optional(),
  }).loose(),
  z.object({
    triggerType: z.literal('Recurrence'),
    frequency: z.enum(['Minute', 'Hour', 'Day', 'Week', 'Month']),
    interval: z.number().int().positive(),
    schedule: z.record(z.string(), z.unknown()).optional(),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    timeZone: z.string().optional(),
  }).loose(),
]);

const ScheduleBody = z.object({
  properties: z.object({
    displayName: z.string().optional(),
    description: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    properties: z.record(z.string(), z.string()).optional(),
    isEnabled: z.boolean().default(true),
    trigger: Trigger,
    action: z.object({ actionType: z.literal('CreateJob', { message: "only the 'CreateJob' action is supported locally" }), jobDefinition: z.record(z.string(), z.unknown()) }).loose(),
  }).loose(),
});

export interface StoredSchedule extends ArmResource {
  properties: z.infer<typeof ScheduleBody>['properties'] & { provisioningState: string; properties: Record<string, string> };
}

/** The job a schedule submits when it fires at `at`: named after the schedule and the minute, so a fire is one job. */
export function fireSchedule(ctx: EmulatorContext, name: string, at: Date): string {
  const s = ctx.store.get<StoredSchedule>('schedules', name);
  if (!s) throw new Error(`schedule ${name} no longer exists`);
  const stamp = at.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const jobName = `${s.name}-${stamp}`;
  submitJob(ctx, jobName, { properties: s.properties.action.jobDefinition });
  ctx.store.put('schedules', s.name, { ...s, properties: { ...s.properties, properties: { ...s.properties.properties, 'amlops.lastJob': jobName, 'amlops.lastFiredAt': at.toISOString() } } });
  return jobName;
}

export function armSchedule(ctx: EmulatorContext, s: StoredSchedule): void {
  const next = ctx.scheduler.arm(s.name, s.properties.trigger as ScheduleTrigger, s.properties.isEnabled);
  const cur = ctx.store.get<StoredSchedule>('schedules', s.name);
  if (cur) ctx.store.put('schedules', s.name, { ...cur, properties: { ...cur.properties, properties: { ...cur.properties.properties, 'amlops.nextRunTime': next?.toISOString() ?? '' } } });
}

export function registerScheduleRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const path = `${WS_ROUTE}/schedules/:name`;

  app.put<{ Params: { name: string } }>(path, { config: { operation: 'Schedules_CreateOrUpdate' } }, async (req, reply) => {
    const name = checkName(req.params.name, 'name');
    const body = parse(ScheduleBody, req.body);
    try {
      parseJobBody({ properties: body.properties.action.jobDefinition });
    } catch (e) {
      if (e instanceof AzureError) throw badRequest(e.message, `properties.action.jobDefinition${(e.target ?? '').replace(/^properties/, '')}`, 'UserError');
      throw e;
    }
    const existing = ctx.store.get<StoredSchedule>('schedules', name);
    const now = new Date().toISOString();
    const s: StoredSchedule = {
      id: childId(ctx.ws, 'schedules', name),
      name,
      type: childType('schedules'),
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      properties: { ...body.properties, tags: body.properties.tags ?? {}, properties: { ...body.properties.properties }, provisioningState: existing ? 'Updating' : 'Creating' },
    };
    ctx.store.put('schedules', name, s);
    const headers = ctx.ops.start(async () => {
      const cur = ctx.store.get<StoredSchedule>('schedules', name);
      if (!cur) return;
      ctx.store.put('schedules', name, { ...cur, properties: { ...cur.properties, provisioningState: 'Succeeded' } });
      armSchedule(ctx, cur);
    });
    return send(reply, existing ? 200 : 201, s, headers);
  });

  app.get<{ Params: { name: string } }>(path, { config: { operation: 'Schedules_Get' } }, async (req) => {
    const s = ctx.store.get<StoredSchedule>('schedules', req.params.name);
    if (!s) throw notFound('schedule', req.params.name);
    return s;
  });

  app.get(`${WS_ROUTE}/schedules`, { config: { operation: 'Schedules_List' } }, async () => ({ value: ctx.store.list<StoredSchedule>('schedules') }));

  app.delete<{ Params: { name: string } }>(path, { config: { operation: 'Schedules_Delete' } }, async (req, reply) => {
    const s = ctx.store.get<StoredSchedule>('schedules', req.params.name);
    if (!s) return reply.code(204).send();
    ctx.scheduler.disarm(s.name);
    const headers = ctx.ops.start(async () => {
      ctx.store.delete('schedules', s.name);
    }, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });

  /** Test hook: fire a schedule now instead of waiting for its trigger. */
  app.post<{ Params: { name: string } }>('/_admin/schedules/:name/trigger', async (req) => {
    const s = ctx.store.get<StoredSchedule>('schedules', req.params.name);
    if (!s) throw notFound('schedule', req.params.name);
    return { jobName: fireSchedule(ctx, s.name, new Date()) };
  });
}

export { Scheduler };

// Jobs PUT/GET/list/cancel/DELETE for AutoML classification jobs; the runner does the work in the background.
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { badRequest, conflict, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData } from '../ids';
import { checkName, send } from '../http';
import { parseJobBody, computeNameOf, type AutoMLJobProperties } from '../jobs/spec';
import { TERMINAL, type StoredJob } from '../jobs/runner';
import type { StoredCompute } from './computes';
import { resolveAssetRef } from './assets';
import { delay } from './computes';

/** A job input reference (azureml:name:version, data ARM id, or a direct URI) as the URI and type to read. */
export function resolveJobInput(ctx: EmulatorContext, uri: string, jobInputType: string): { uri: string; type: 'mltable' | 'uri_file' } {
  const field = 'properties.taskDetails.trainingData.uri';
  if (/^azureml:[^/]/i.test(uri) || /\/data\/[^/]+\/versions\/[^/]+$/i.test(uri)) {
    const asset = resolveAssetRef(ctx, 'data', uri);
    if (!asset) throw badRequest(`Data asset '${uri}' was not found in this workspace.`, field, 'UserError');
    const type = String(asset.properties.dataType);
    if (type !== 'mltable' && type !== 'uri_file') throw badRequest(`Data asset '${uri}' is ${type}; AutoML training data must be mltable.`, field, 'UserError');
    return { uri: String(asset.properties.dataUri), type };
  }
  if (jobInputType !== 'mltable' && jobInputType !== 'uri_file') throw badRequest(`jobInputType '${jobInputType}' cannot be training data; use mltable.`, 'properties.taskDetails.trainingData.jobInputType', 'UserError');
  ctx.blobs.resolve(uri, field);
  return { uri, type: jobInputType };
}

/** Validates and stores a job, then starts it; shared by the jobs route and schedules. Returns the stored job and whether it was new. */
export function submitJob(ctx: EmulatorContext, name: string, body: unknown): { job: StoredJob; created: boolean } {
  const props: AutoMLJobProperties = parseJobBody(body);
  const existing = ctx.jobs.get(name);
  if (existing) {
    // A retried identical PUT is answered with the job as it is now; a different job under the same name is a conflict.
    const same = JSON.stringify(existing.properties.taskDetails) === JSON.stringify(props.taskDetails) && computeNameOf(existing.properties.computeId) === computeNameOf(props.computeId);
    if (!same) throw conflict(`Job '${name}' already exists with a different definition; job definitions cannot be changed. Use a new job name.`, 'properties');
    return { job: existing, created: false };
  }
  const compute = ctx.store.get<StoredCompute>('computes', computeNameOf(props.computeId));
  if (!compute || compute.properties.provisioningState === 'Deleting') {
    throw badRequest(`Compute '${computeNameOf(props.computeId)}' was not found in this workspace.`, 'properties.computeId', 'UserError');
  }
  resolveJobInput(ctx, props.taskDetails.trainingData.uri, props.taskDetails.trainingData.jobInputType);
  const now = new Date().toISOString();
  const experimentName = props.experimentName ?? 'Default';
  const tracking = ctx.baseUrl().replace(/^https:/, 'azureml:');
  const job: StoredJob = {
    id: childId(ctx.ws, 'jobs', name),
    name,
    type: childType('jobs'),
    systemData: systemData(now),
    properties: {
      ...props,
      computeId: compute.id,
      experimentName,
      displayName: props.displayName ?? name,
      status: 'NotStarted',
      tags: props.tags ?? {},
      properties: props.properties ?? {},
      outputs: props.outputs ?? {},
      services: {
        Tracking: { jobServiceType: 'Tracking', endpoint: `${tracking}/mlflow/v1.0${childId(ctx.ws).replace(/\/$/, '')}` },
        Studio: { jobServiceType: 'Studio', endpoint: `${ctx.baseUrl()}/studio/jobs/${name}` },
      },
    },
  };
  ctx.store.put('jobs', name, job);
  ctx.jobs.start(name);
  return { job, created: true };
}

export function registerJobRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const path = `${WS_ROUTE}/jobs/:id`;

  app.put<{ Params: { id: string } }>(path, { config: { operation: 'Jobs_CreateOrUpdate' } }, async (req, reply) => {
    const name = checkName(req.params.id, 'id');
    const { job, created } = submitJob(ctx, name, req.body);
    return send(reply, created ? 201 : 200, job);
  });

  app.get<{ Params: { id: string } }>(path, { config: { operation: 'Jobs_Get' } }, async (req) => {
    const job = ctx.jobs.get(req.params.id);
    if (!job) throw notFound('job', req.params.id);
    return job;
  });

  app.get<{ Querystring: { jobType?: string; tag?: string } }>(`${WS_ROUTE}/jobs`, { config: { operation: 'Jobs_List' } }, async (req) => {
    let jobs = ctx.store.list<StoredJob>('jobs');
    if (req.query.jobType) jobs = jobs.filter((j) => j.properties.jobType === req.query.jobType);
    if (req.query.tag) jobs = jobs.filter((j) => req.query.tag! in (j.properties.tags ?? {}));
    jobs.sort((a, b) => b.systemData.createdAt.localeCompare(a.systemData.createdAt));
    return { value: jobs };
  });

  app.post<{ Params: { id: string } }>(`${path}/cancel`, { config: { operation: 'Jobs_Cancel' } }, async (req, reply) => {
    const job = ctx.jobs.get(req.params.id);
    if (!job) throw notFound('job', req.params.id);
    ctx.jobs.cancel(job.name);
    const headers = ctx.ops.start(async () => {
      while (!TERMINAL.has(ctx.jobs.get(job.name)?.properties.status ?? 'Canceled')) await delay(50);
    }, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });

  app.delete<{ Params: { id: string } }>(path, { config: { operation: 'Jobs_Delete' } }, async (req, reply) => {
    const job = ctx.jobs.get(req.params.id);
    if (!job) return reply.code(204).send();
    ctx.jobs.cancel(job.name);
    const headers = ctx.ops.start(async () => {
      await ctx.jobs.settled(job.name);
      ctx.store.delete('jobs', job.name);
    }, { withLocation: true });
    return send(reply, 202, undefined, headers);
  });
}

// Batch endpoints and deployments PUT/GET/list/DELETE (LROs), and batch jobs invoked at the endpoint's scoringUri.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { badRequest, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData, type TrackedResource } from '../ids';
import { checkName, parse, send } from '../http';
import { resolveAssetRef } from './assets';
import { readModelArtifact } from './onlineDeployments';
import { resolveJobInput } from './jobs';
import { runBatchScoring } from '../jobs/batch';
import type { ModelArtifact } from '../../automl/types';

const EndpointBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.object({ authMode: z.enum(['AADToken', 'Key', 'AMLToken']).default('AADToken'), description: z.string().optional(), defaults: z.object({ deploymentName: z.string().optional() }).optional(), properties: z.record(z.string(), z.string()).optional() }).loose(),
});

const ModelRef = z.union([z.string().min(1), z.object({ referenceType: z.literal('Id'), assetId: z.string().min(1) }).loose()]);
const DeploymentBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z
    .object({
      model: ModelRef,
      compute: z.string().optional(),
      description: z.string().optional(),
      miniBatchSize: z.number().int().positive().default(500),
      maxConcurrencyPerInstance: z.number().int().positive().max(16).default(2),
      outputFileName: z.string().default('predictions.csv'),
      outputAction: z.enum(['SummaryOnly', 'AppendRow']).default('AppendRow'),
      errorThreshold: z.number().int().optional(),
      properties: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
});

interface StoredBatchEndpoint extends TrackedResource {
  properties: z.infer<typeof EndpointBody>['properties'] & { scoringUri: string; swaggerUri: string; provisioningState: string };
}
interface StoredBatchDeployment extends TrackedResource {
  properties: z.infer<typeof DeploymentBody>['properties'] & { provisioningState: string };
}
export interface BatchJob {
  name: string;
  endpoint: string;
  deployment: string;
  status: 'Running' | 'Completed' | 'Failed';
  input: string;
  output: { datastore: string; path: string; uri: string };
  rows?: number;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

const modelIdOf = (m: z.infer<typeof ModelRef>): string => (typeof m === 'string' ? m : m.assetId);

const InvokeBody = z.object({
  deploymentName: z.string().optional(),
  input: z.object({ uri: z.string().min(1), type: z.enum(['mltable', 'uri_file']).default('uri_file') }).optional(),
  // Azure's v2 invoke shape: { properties: { InputData: { <name>: { JobInputType, Uri } } } }.
  properties: z.object({ InputData: z.record(z.string(), z.object({ JobInputType: z.string().optional(), Uri: z.string().min(1) }).loose()) }).loose().optional(),
});

export function registerBatchRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const epPath = `${WS_ROUTE}/batchEndpoints/:ep`;
  const dPath = `${epPath}/deployments/:d`;
  const provisioned = (kind: 'batchEndpoints' | 'batchDeployments', key: string) => async () => {
    const cur = ctx.store.get<{ properties: { provisioningState: string } }>(kind, key);
    if (cur) ctx.store.put(kind, key, { ...cur, properties: { ...cur.properties, provisioningState: 'Succeeded' } });
  };

  app.put<{ Params: { ep: string } }>(epPath, { config: { operation: 'BatchEndpoints_CreateOrUpdate' } }, async (req, reply) => {
    const name = checkName(req.params.ep, 'endpointName');
    const body = parse(EndpointBody, req.body);
    const existing = ctx.store.get<StoredBatchEndpoint>('batchEndpoints', name);
    const now = new Date().toISOString();
    const e: StoredBatchEndpoint = {
      id: childId(ctx.ws, 'batchEndpoints', name), name, type: childType('batchEndpoints'), location: body.location ?? ctx.ws.location, tags: body.tags ?? {},
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      properties: { ...body.properties, scoringUri: `${ctx.baseUrl()}/batch/${name}/jobs`, swaggerUri: `${ctx.baseUrl()}/batch/${name}/swagger.json`, provisioningState: existing ? 'Updating' : 'Creating' },
    };
    ctx.store.put('batchEndpoints', name, e);
    return send(reply, existing ? 200 : 201, e, ctx.ops.start(provisioned('batchEndpoints', name)));
  });
  app.get<{ Params: { ep: string } }>(epPath, { config: { operation: 'BatchEndpoints_Get' } }, async (req) => {
    const e = ctx.store.get<StoredBatchEndpoint>('batchEndpoints', req.params.ep);
    if (!e) throw notFound('batch endpoint', req.params.ep);
    return e;
  });
  app.get(`${WS_ROUTE}/batchEndpoints`, { config: { operation: 'BatchEndpoints_List' } }, async () => ({ value: ctx.store.list('batchEndpoints') }));
  app.delete<{ Params: { ep: string } }>(epPath, { config: { operation: 'BatchEndpoints_Delete' } }, async (req, reply) => {
    const e = ctx.store.get<StoredBatchEndpoint>('batchEndpoints', req.params.ep);
    if (!e) return reply.code(204).send();
    return send(reply, 202, undefined, ctx.ops.start(async () => {
      for (const d of ctx.store.list<StoredBatchDeployment>('batchDeployments', `${e.name}/`)) ctx.store.delete('batchDeployments', `${e.name}/${d.name}`);
      ctx.store.delete('batchEndpoints', e.name);
    }, { withLocation: true }));
  });

  app.put<{ Params: { ep: string; d: string } }>(dPath, { config: { operation: 'BatchDeployments_CreateOrUpdate' } }, async (req, reply) => {
    const e = ctx.store.get<StoredBatchEndpoint>('batchEndpoints', req.params.ep);
    if (!e) throw notFound('batch endpoint', req.params.ep);
    const name = checkName(req.params.d, 'deploymentName');
    const body = parse(DeploymentBody, req.body);
    if (!resolveAssetRef(ctx, 'models', modelIdOf(body.properties.model))) throw badRequest(`Model '${modelIdOf(body.properties.model)}' was not found in this workspace.`, 'properties.model', 'UserError');
    const key = `${e.name}/${name}`;
    const existing = ctx.store.get<StoredBatchDeployment>('batchDeployments', key);
    const now = new Date().toISOString();
    const d: StoredBatchDeployment = {
      id: childId(ctx.ws, 'batchEndpoints', e.name, 'deployments', name), name, type: childType('batchEndpoints', 'deployments'), location: body.location ?? ctx.ws.location, tags: body.tags ?? {},
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      properties: { ...body.properties, provisioningState: existing ? 'Updating' : 'Creating' },
    };
    ctx.store.put('batchDeployments', key, d);
    return send(reply, existing ? 200 : 201, d, ctx.ops.start(provisioned('batchDeployments', key)));
  });
  app.get<{ Params: { ep: string; d: string } }>(dPath, { config: { operation: 'BatchDeployments_Get' } }, async (req) => {
    const d = ctx.store.get<StoredBatchDeployment>('batchDeployments', `${req.params.ep}/${req.params.d}`);
    if (!d) throw notFound('batch deployment', req.params.d);
    return d;
  });
  app.get<{ Params: { ep: string } }>(`${epPath}/deployments`, { config: { operation: 'BatchDeployments_List' } }, async (req) => ({ value: ctx.store.list('batchDeployments', `${req.params.ep}/`) }));
  app.delete<{ Params: { ep: string; d: string } }>(dPath, { config: { operation: 'BatchDeployments_Delete' } }, async (req, reply) => {
    const key = `${req.params.ep}/${req.params.d}`;
    if (!ctx.store.has('batchDeployments', key)) return reply.code(204).send();
    return send(reply, 202, undefined, ctx.ops.start(async () => void ctx.store.delete('batchDeployments', key), { withLocation: true }));
  });

  // Invocation: the endpoint's scoringUri takes a workspace bearer token (authMode AADToken), as Azure's does.
  app.post<{ Params: { ep: string } }>('/batch/:ep/jobs', { config: { operation: 'BatchEndpoints_Invoke' } }, async (req, reply) => {
    const e = ctx.store.get<StoredBatchEndpoint>('batchEndpoints', req.params.ep);
    if (!e) throw notFound('batch endpoint', req.params.ep);
    const body = parse(InvokeBody, req.body);
    const deploymentName = body.deploymentName ?? (req.headers['azureml-model-deployment'] as string | undefined) ?? e.properties.defaults?.deploymentName;
    if (!deploymentName) throw badRequest('No deployment named and the endpoint has no defaults.deploymentName.', 'deploymentName');
    const d = ctx.store.get<StoredBatchDeployment>('batchDeployments', `${e.name}/${deploymentName}`);
    if (!d) throw notFound('batch deployment', deploymentName);
    const azureInput = body.properties ? Object.values(body.properties.InputData)[0] : undefined;
    const inputUri = body.input?.uri ?? azureInput?.Uri;
    if (!inputUri) throw badRequest('Give the data to score as input.uri or properties.InputData.<name>.Uri.', 'input.uri');
    const inputType = body.input?.type ?? (/mltable/i.test(azureInput?.JobInputType ?? '') ? 'mltable' : 'uri_file');
    const resolved = resolveJobInput(ctx, inputUri, inputType);
    const name = `batchjob-${randomUUID()}`;
    const outputPath = `azureml/BatchJobs/${name}/${d.properties.outputFileName}`;
    const job: BatchJob = { name, endpoint: e.name, deployment: d.name, status: 'Running', input: inputUri, output: { datastore: 'workspaceblobstore', path: outputPath, uri: `azureml://datastores/workspaceblobstore/paths/${outputPath}` }, startTime: new Date().toISOString() };
    ctx.store.put('batchJobs', name, job);
    void (async () => {
      try {
        const { text } = await readModelArtifact(ctx, modelIdOf(d.properties.model));
        const rows = await runBatchScoring(ctx.blobs, { artifact: JSON.parse(text) as ModelArtifact, inputUri: resolved.uri, inputType: resolved.type, miniBatchSize: d.properties.miniBatchSize, concurrency: d.properties.maxConcurrencyPerInstance, outputPath });
        ctx.store.put('batchJobs', name, { ...job, status: 'Completed', rows, endTime: new Date().toISOString() });
      } catch (err) {
        ctx.store.put('batchJobs', name, { ...job, status: 'Failed', endTime: new Date().toISOString(), error: { code: 'BatchScoringFailed', message: (err as Error).message } });
      }
    })();
    return reply.code(202).header('Location', `${ctx.baseUrl()}/batch/${e.name}/jobs/${name}`).send(job);
  });
  app.get<{ Params: { ep: string; id: string } }>('/batch/:ep/jobs/:id', { config: { operation: 'BatchJobs_Get' } }, async (req) => {
    const j = ctx.store.get<BatchJob>('batchJobs', req.params.id);
    if (!j || j.endpoint.toLowerCase() !== req.params.ep.toLowerCase()) throw notFound('batch job', req.params.id);
    return j;
  });
}

// Batch jobs: a whole file scored by a batch deployment in the background, predictions written to the datastore.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { badRequest, notFound } from '../errors';
import { parse } from '../http';
import { runBatchScoring } from '../jobs/batch';
import type { ModelArtifact } from '../../automl/types';
import * as batchEndpoints from './batchEndpoints';
import * as batchDeployments from './batchDeployments';
import { resolveDataInput } from './data';
import { readModelArtifact } from './models';
import { DEFAULT_DATASTORE } from './workspace';

const InvokeBody = z.object({
  deploymentName: z.string().optional(),
  input: z.object({ uri: z.string().min(1), type: z.enum(['mltable', 'uri_file']).default('uri_file') }).optional(),
  // Azure's v2 invoke shape: { properties: { InputData: { <name>: { JobInputType, Uri } } } }.
  properties: z
    .object({
      InputData: z.record(
        z.string(),
        z.object({ JobInputType: z.string().optional(), Uri: z.string().min(1) }).loose(),
      ),
    })
    .loose()
    .optional(),
});

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

/**
 * Starts a batch job on the named deployment (the body's, the azureml-model-deployment header's, or the endpoint's
 * default) and returns it Running; scoring goes on in the background.
 */
export function invoke(ctx: EmulatorContext, ep: string, body: unknown, headerDeployment?: string): BatchJob {
  const e = batchEndpoints.get(ctx, ep);
  if (!e) throw notFound('batch endpoint', ep);
  const { deploymentName, input, properties } = parse(InvokeBody, body);
  const named = deploymentName ?? headerDeployment ?? e.properties.defaults?.deploymentName;
  if (!named) {
    throw badRequest('No deployment named and the endpoint has no defaults.deploymentName.', 'deploymentName');
  }
  const d = batchDeployments.get(ctx, e.name, named);
  if (!d) throw notFound('batch deployment', named);
  const azureInput = properties ? Object.values(properties.InputData)[0] : undefined;
  const inputUri = input?.uri ?? azureInput?.Uri;
  if (!inputUri) {
    throw badRequest('Give the data to score as input.uri or properties.InputData.<name>.Uri.', 'input.uri');
  }
  const inputType = input?.type ?? (/mltable/i.test(azureInput?.JobInputType ?? '') ? 'mltable' : 'uri_file');
  const resolved = resolveDataInput(ctx, inputUri, inputType);
  const name = `batchjob-${randomUUID()}`;
  const outputPath = `azureml/BatchJobs/${name}/${d.properties.outputFileName}`;
  const job: BatchJob = {
    name,
    endpoint: e.name,
    deployment: d.name,
    status: 'Running',
    input: inputUri,
    output: {
      datastore: DEFAULT_DATASTORE,
      path: outputPath,
      uri: `azureml://datastores/${DEFAULT_DATASTORE}/paths/${outputPath}`,
    },
    startTime: new Date().toISOString(),
  };
  ctx.store.put('batchJobs', name, job);
  void (async () => {
    try {
      const { text } = await readModelArtifact(ctx, batchDeployments.modelIdOf(d.properties.model));
      const rows = await runBatchScoring(ctx.blobs, {
        artifact: JSON.parse(text) as ModelArtifact,
        inputUri: resolved.uri,
        inputType: resolved.type,
        miniBatchSize: d.properties.miniBatchSize,
        concurrency: d.properties.maxConcurrencyPerInstance,
        outputPath,
      });
      ctx.store.put('batchJobs', name, { ...job, status: 'Completed', rows, endTime: new Date().toISOString() });
    } catch (err) {
      const error = { code: 'BatchScoringFailed', message: (err as Error).message };
      ctx.store.put('batchJobs', name, { ...job, status: 'Failed', endTime: new Date().toISOString(), error });
    }
  })();
  return job;
}

export function get(ctx: EmulatorContext, ep: string, id: string): BatchJob | undefined {
  const j = ctx.store.get<BatchJob>('batchJobs', id);
  return j && j.endpoint.toLowerCase() === ep.toLowerCase() ? j : undefined;
}

/** A batch job cut off by a stop cannot resume: it fails, saying so. */
export function recover(ctx: EmulatorContext): void {
  for (const j of ctx.store.list<BatchJob>('batchJobs')) {
    if (j.status !== 'Running') continue;
    const message = 'The local workspace stopped while this batch job was running; invoke the endpoint again.';
    ctx.store.put('batchJobs', j.name, { ...j, status: 'Failed', error: { code: 'JobInterrupted', message } });
  }
}

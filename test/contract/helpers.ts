// Contract-test helpers: a fresh local workspace in a temp dir, an SDK client that trusts its certificate, data upload.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureMachineLearningWorkspaces, type AutoMLJob } from '@azure/arm-machinelearning';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { ModelArtifact } from '../../src/automl';
import { AzureMLClient, localTarget } from '../../src/azureml';
import type { ActivityDeps } from '../../src/activities';
import { deployModel } from '../../src/activities/deploy-model';
import type { DeploymentRef } from '../../src/contract';
import { startLocalWorkspace, type LocalWorkspace, type LocalWorkspaceOptions } from '../../src/emulator';

export interface TestWorkspace {
  ws: LocalWorkspace;
  client: AzureMachineLearningWorkspaces;
  rg: string;
  name: string;
  container: ContainerClient;
  dir: string;
  /** Stops the workspace and deletes its data dir. */
  dispose(): Promise<void>;
}

export function sdkClient(ws: LocalWorkspace): AzureMachineLearningWorkspaces {
  // The client trusts the workspace's self-signed certificate explicitly; nothing is weakened.
  return new AzureMachineLearningWorkspaces(ws.credential, ws.subscriptionId, {
    endpoint: ws.endpoint,
    tlsOptions: { ca: ws.caCertificate },
  });
}

export async function startTestWorkspace(opts: Partial<LocalWorkspaceOptions> = {}): Promise<TestWorkspace> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'amlops-contract-'));
  // lroRetryAfterSeconds 0: pollers use the interval the tests pass (updateIntervalInMs) instead of Retry-After: 1.
  const ws = await startLocalWorkspace({ lroRetryAfterSeconds: 0, ...opts, dataDir: dir });
  return {
    ws,
    client: sdkClient(ws),
    rg: ws.resourceGroup,
    name: ws.workspaceName,
    container: BlobServiceClient.fromConnectionString(ws.blob.connectionString).getContainerClient(
      ws.blob.containerName,
    ),
    dir,
    async dispose() {
      await ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const FAST = { updateIntervalInMs: 100 };

/** What activities get, over the test workspace, as the worker builds it. */
export function activityDeps(t: TestWorkspace): ActivityDeps {
  const { endpoint, caCertificate, subscriptionId, resourceGroup, workspaceName, credential } = t.ws;
  const connection = { endpoint, caCertificate, caCertificatePath: '', subscriptionId, resourceGroup, workspaceName };
  return { client: new AzureMLClient(localTarget(connection, credential)), reportsDir: join(t.dir, 'reports') };
}

/**
 * Registers an artifact as version `version` of `<project>-model` (a datastore folder holding model.json) and deploys
 * it with deployModel: no traffic, reached by the azureml-model-deployment header only.
 */
export async function deployArtifact(
  t: TestWorkspace,
  deps: ActivityDeps,
  opts: { project: string; endpointName: string; deploymentName: string; artifact: ModelArtifact; version: string },
  optionalColumns?: string[],
): Promise<DeploymentRef> {
  const { project, endpointName, deploymentName, version } = opts;
  const folder = `models/${deploymentName}`;
  const text = JSON.stringify(opts.artifact);
  await t.container.getBlockBlobClient(`${folder}/model.json`).upload(text, Buffer.byteLength(text));
  const properties = { modelUri: `azureml://datastores/workspaceblobstore/paths/${folder}/` };
  await t.client.modelVersions.createOrUpdate(t.rg, t.name, `${project}-model`, version, { properties });
  return deployModel(deps)({
    project,
    cycle: Number(version),
    endpointName,
    deploymentName,
    model: { name: `${project}-model`, version, primaryMetric: 'AUC_weighted', metricValue: 0 },
    instanceType: 'Standard_DS3_v2',
    instanceCount: 1,
    ...(optionalColumns ? { optionalColumns } : {}),
  });
}

/** The first `rows` data rows of the demo dataset (header included). */
export function bankSample(rows: number): string {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'data', 'bankmarketing_train.csv'), 'utf8');
  return `${text
    .split('\n')
    .slice(0, rows + 1)
    .join('\n')}\n`;
}

/** Uploads a CSV and an MLTable file next to it, as Azure ML's docs do; returns the folder's azureml:// URI. */
export async function uploadMltable(t: TestWorkspace, folder: string, csv: string): Promise<string> {
  await t.container.getBlockBlobClient(`${folder}/data.csv`).upload(csv, Buffer.byteLength(csv));
  const mltable =
    'paths:\n  - file: ./data.csv\ntransformations:\n  - read_delimited:\n      delimiter: ","\n      encoding: utf8\n      header: all_files_same_headers\n';
  await t.container.getBlockBlobClient(`${folder}/MLTable`).upload(mltable, mltable.length);
  return `azureml://datastores/workspaceblobstore/paths/${folder}/`;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

/** A raw HTTPS call to the workspace (admin routes, scoring, MLflow), trusting its certificate. */
export function call(
  ws: LocalWorkspace,
  method: string,
  urlOrPath: string,
  opts: { body?: unknown; headers?: Record<string, string>; token?: string | false } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(urlOrPath, ws.endpoint);
    const go = (token?: string) => {
      const body =
        opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      const req = request(
        url,
        {
          method,
          ca: ws.caCertificate,
          headers: {
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
          });
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    };
    if (opts.token === false) go();
    else if (opts.token) go(opts.token);
    else ws.credential.getToken('https://management.azure.com/.default').then((t) => go(t.token), reject);
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * PUT a job through the SDK client's own pipeline (same credential, same trusted CA, same retries).
 * Needed because @azure/arm-machinelearning 2.1.1 maps Classification under the wrong parent and silently drops
 * primaryMetric, limitSettings and trainingSettings when it serializes an AutoML job.
 */
export async function putJob(
  t: TestWorkspace,
  name: string,
  properties: AutoMLJob | Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = `${t.ws.endpoint}/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/jobs/${name}?api-version=2022-10-01`;
  const res = await t.client.sendRequest(
    createPipelineRequest({
      url,
      method: 'PUT',
      body: JSON.stringify({ properties }),
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
    }),
  );
  return { status: res.status, body: JSON.parse(res.bodyAsText ?? '{}') as Record<string, unknown> };
}

/**
 * A raw ARM PUT of a workspace child through the SDK client's pipeline (for bodies the SDK's serializer would trim).
 */
export async function armPut(
  t: TestWorkspace,
  childPath: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  const url = `${t.ws.endpoint}/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/${childPath}?api-version=2022-10-01`;
  const res = await t.client.sendRequest(
    createPipelineRequest({
      url,
      method: 'PUT',
      body: JSON.stringify(body),
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
    }),
  );
  return {
    status: res.status,
    body: JSON.parse(res.bodyAsText ?? '{}') as Record<string, unknown>,
    headers: res.headers.toJSON(),
  };
}

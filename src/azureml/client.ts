// The one Azure ML client: the ARM SDK, the blob datastore, MLflow REST and Azure Monitor, for Azure or local.
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { MetricsQueryClient } from '@azure/monitor-query';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { azureFailure, call } from './errors';
import type { WorkspaceTarget } from './target';

export const DEFAULT_DATASTORE = 'workspaceblobstore';

export interface MlflowRun {
  info: { run_id: string; status: string; artifact_uri?: string };
  data: { metrics?: { key: string; value: number }[]; tags?: { key: string; value: string }[] };
}

export interface ArmRequestOptions {
  body?: unknown;
  apiVersion?: string;
  fix?: string;
}

export interface ArmAnswer<T> {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: T;
}

export class AzureMLClient {
  readonly arm: AzureMachineLearningWorkspaces;
  readonly rg: string;
  readonly ws: string;
  private location?: string;
  private container?: Promise<{ client: ContainerClient; datastore: string }>;
  private mlflowBase?: string;
  private metricsClient?: MetricsQueryClient;

  constructor(readonly target: WorkspaceTarget) {
    this.rg = target.resourceGroup;
    this.ws = target.workspaceName;
    this.arm = new AzureMachineLearningWorkspaces(target.credential, target.subscriptionId, {
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      // The local workspace's certificate is trusted explicitly, for this client only.
      ...(target.caCertificate ? { tlsOptions: { ca: target.caCertificate } } : {}),
    });
  }

  /** ARM id of a workspace child resource, e.g. computes/cpu-cluster. */
  armId(path: string): string {
    const t = this.target;
    const workspace = `providers/Microsoft.MachineLearningServices/workspaces/${t.workspaceName}`;
    return `/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroup}/${workspace}/${path}`;
  }

  /** The workspace's region: every resource created in it must name it. */
  async workspaceLocation(): Promise<string> {
    if (!this.location) {
      const ws = await call(`read workspace ${this.ws}`, () => this.arm.workspaces.get(this.rg, this.ws));
      this.location = ws.location ?? 'local';
      this.mlflowBase = ws.mlFlowTrackingUri?.replace(/^azureml:\/\//, 'https://');
    }
    return this.location;
  }

  /** The default datastore's blob container, opened with the key listSecrets returns (never stored or logged). */
  datastoreContainer(): Promise<{ client: ContainerClient; datastore: string }> {
    this.container ??= (async () => {
      const store = await call('read the default datastore', () =>
        this.arm.datastores.get(this.rg, this.ws, DEFAULT_DATASTORE),
      );
      const props = store.properties as {
        accountName?: string;
        containerName?: string;
        endpoint?: string;
        protocol?: string;
        tags?: Record<string, string>;
      };
      const secrets = (await call('read the datastore key (listSecrets)', () =>
        this.arm.datastores.listSecrets(this.rg, this.ws, DEFAULT_DATASTORE),
      )) as { key?: string };
      if (!props.accountName || !props.containerName || !secrets.key) {
        const message = 'the default datastore is not an account-key blob datastore';
        throw azureFailure({ statusCode: 400, message }, 'open the default datastore');
      }
      // Azurite is path-style, which endpoint+protocol cannot say; the local workspace passes its URL in a tag.
      const accountUrl =
        props.tags?.['amlops.blobEndpoint'] ??
        `${props.protocol ?? 'https'}://${props.accountName}.blob.${props.endpoint ?? 'core.windows.net'}`;
      const service = `${accountUrl.replace(/\/$/, '')}/${props.containerName}`;
      const credential = new StorageSharedKeyCredential(props.accountName, secrets.key);
      return { client: new ContainerClient(service, credential), datastore: DEFAULT_DATASTORE };
    })();
    this.container.catch(() => (this.container = undefined));
    return this.container;
  }

  /**
   * An ARM call sent as written, through the SDK's pipeline (same credential, TLS trust and retries), at `apiVersion`
   * (default: the SDK's 2022-10-01). For what the SDK's serializer mangles: 2.1.1 drops every Classification field of
   * an AutoML job (its mapper's uberParent is TableVertical) and every property newer than its models (mirrorTraffic).
   * `pathOrUrl` is a workspace child path, or an absolute URL the service gave (an Azure-AsyncOperation).
   */
  async armRequest<T>(
    method: 'GET' | 'PUT',
    pathOrUrl: string,
    what: string,
    opts: ArmRequestOptions = {},
  ): Promise<ArmAnswer<T>> {
    const base = this.target.endpoint ?? 'https://management.azure.com';
    const url = /^https:\/\//.test(pathOrUrl)
      ? pathOrUrl
      : `${base}${this.armId(pathOrUrl)}?api-version=${opts.apiVersion ?? this.arm.apiVersion}`;
    const request = createPipelineRequest({
      url,
      method,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      headers: createHttpHeaders(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    });
    const response = await call(what, () => this.arm.sendRequest(request), opts.fix);
    const text = response.bodyAsText ?? '';
    if (response.status >= 300) {
      let error: { code?: string; message?: string };
      try {
        error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error ?? {};
      } catch {
        error = { message: text };
      }
      throw azureFailure({ statusCode: response.status, code: error.code, message: error.message }, what, opts.fix);
    }
    return { status: response.status, headers: response.headers.toJSON(), body: (text ? JSON.parse(text) : {}) as T };
  }

  async putResource<T>(path: string, body: unknown, what: string, fix?: string): Promise<T> {
    return (await this.armRequest<T>('PUT', path, what, { body, fix })).body;
  }

  /** Azure Monitor's metrics with the same credential; the local workspace serves the same API at its own URL. */
  get metrics(): MetricsQueryClient {
    this.metricsClient ??= new MetricsQueryClient(this.target.credential, {
      ...(this.target.endpoint ? { endpoint: this.target.endpoint } : {}),
      ...(this.target.caCertificate ? { tlsOptions: { ca: this.target.caCertificate } } : {}),
    });
    return this.metricsClient;
  }

  /** MLflow REST under the workspace's tracking URI, through the ARM client's pipeline (same credential, TLS trust). */
  async mlflow<T>(path: string, what: string): Promise<T> {
    await this.workspaceLocation();
    if (!this.mlflowBase) {
      throw azureFailure({ statusCode: 400, message: 'the workspace has no mlFlowTrackingUri' }, what);
    }
    const request = createPipelineRequest({ url: `${this.mlflowBase}/api/2.0/mlflow/${path}`, method: 'GET' });
    const response = await call(what, () => this.arm.sendRequest(request));
    if (response.status >= 300) {
      let message = response.bodyAsText ?? '';
      try {
        message = (JSON.parse(message) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw azureFailure({ statusCode: response.status, message }, what);
    }
    return JSON.parse(response.bodyAsText ?? '{}') as T;
  }

  async mlflowRun(runId: string): Promise<MlflowRun> {
    const path = `runs/get?run_id=${encodeURIComponent(runId)}`;
    const body = await this.mlflow<{ run: MlflowRun }>(path, `read MLflow run ${runId}`);
    return body.run;
  }
}

export function runTag(run: MlflowRun, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

export function runMetrics(run: MlflowRun): Record<string, number> {
  return Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
}

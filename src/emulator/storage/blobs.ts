// The workspace's blob store: reads and writes in the default datastore's container, and resolves azureml:// URIs to blobs.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { BlobConnection } from './azurite';
import { badRequest } from '../errors';

export interface BlobRef {
  container: string;
  path: string;
}

export class WorkspaceBlobs {
  readonly service: BlobServiceClient;

  constructor(
    readonly connection: BlobConnection,
    readonly defaultContainer: string,
    /** Datastore name -> container; the default datastore is workspaceblobstore. */
    private readonly datastores: Record<string, string>,
  ) {
    this.service = BlobServiceClient.fromConnectionString(connection.connectionString);
  }

  container(name = this.defaultContainer): ContainerClient {
    return this.service.getContainerClient(name);
  }

  async ensureContainers(): Promise<void> {
    for (const c of new Set(Object.values(this.datastores))) await this.container(c).createIfNotExists();
  }

  async readText(ref: BlobRef): Promise<string> {
    const buf = await this.container(ref.container).getBlockBlobClient(ref.path).downloadToBuffer();
    return buf.toString('utf8');
  }

  /**
   * Positive answers are remembered briefly: registering many versions of one asset would otherwise pay an
   * Azurite round trip each (10-30 ms at p99),
   * and a blob that existed a few seconds ago is what Azure's check sees too.
   */
  async exists(ref: BlobRef): Promise<boolean> {
    const key = `${ref.container}/${ref.path}`;
    const seen = this.seen.get(key);
    if (seen !== undefined && Date.now() - seen < 5000) return true;
    const found = await this.container(ref.container).getBlockBlobClient(ref.path).exists();
    if (found) this.seen.set(key, Date.now());
    else this.seen.delete(key);
    return found;
  }

  private readonly seen = new Map<string, number>();

  async writeText(ref: BlobRef, text: string, contentType = 'application/json'): Promise<void> {
    this.seen.delete(`${ref.container}/${ref.path}`);
    const data = Buffer.from(text, 'utf8');
    await this.container(ref.container)
      .getBlockBlobClient(ref.path)
      .upload(data, data.length, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  async listNames(ref: BlobRef): Promise<string[]> {
    const out: string[] = [];
    const prefix = ref.path.replace(/^\/+/, '');
    for await (const b of this.container(ref.container).listBlobsFlat({ prefix })) out.push(b.name);
    return out;
  }

  /** Run artifacts live where Azure keeps them: azureml/ExperimentRun/dcid.{run}/{path}. */
  runArtifact(runId: string, path: string): BlobRef {
    return {
      container: this.defaultContainer,
      path: `azureml/ExperimentRun/dcid.${runId}/${path.replace(/^\/+/, '')}`,
    };
  }

  /**
   * Resolves a data or model URI to a blob (or a folder prefix). Accepts the forms Azure ML accepts:
   * azureml://[subscriptions/../resourcegroups/../workspaces/../]datastores/{ds}/paths/{p},
   * azureml://jobs/{run}/outputs/artifacts/{p}, and blob URLs (Azurite path-style or *.blob.core.windows.net).
   */
  resolve(uri: string, field = 'uri'): BlobRef {
    const ds =
      /^azureml:\/\/(?:subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/(.*)$/i.exec(
        uri,
      );
    if (ds) {
      const container = this.datastores[ds[1].toLowerCase()];
      if (!container) throw badRequest(`Datastore '${ds[1]}' does not exist in this workspace.`, field);
      return { container, path: decodeURIComponent(ds[2]) };
    }
    const job = /^azureml:\/\/jobs\/([^/]+)\/outputs\/artifacts\/(.*)$/i.exec(uri);
    if (job) return this.runArtifact(job[1], decodeURIComponent(job[2]));
    if (/^https?:\/\//i.test(uri)) {
      const u = new URL(uri);
      const segs = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const own = new URL(this.connection.blobEndpoint);
      if (u.host === own.host && segs[0] === this.connection.accountName && segs.length >= 2)
        return { container: segs[1], path: segs.slice(2).join('/') };
      if (u.hostname.startsWith(`${this.connection.accountName}.blob.`) && segs.length >= 1)
        return { container: segs[0], path: segs.slice(1).join('/') };
      throw badRequest(`The URI '${uri}' is not in this workspace's storage account.`, field);
    }
    throw badRequest(
      `Unsupported URI '${uri}': expected azureml://datastores/{name}/paths/{path}, azureml://jobs/{job}/outputs/artifacts/{path} or a blob URL.`,
      field,
    );
  }
}

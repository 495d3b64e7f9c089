// Model assets: versions checked against storage, and the model artifact (model.json) deployments load from them.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { AzureError, badRequest } from '../errors';
import { CommonFields, assetKind, fileOrFolderExists, resolveAssetRef, type AssetVersion } from './assets';

const ModelVersionBody = z.object({
  properties: z
    .object({
      ...CommonFields,
      modelType: z.string().default('custom_model'),
      modelUri: z.string().min(1),
      flavors: z.record(z.string(), z.unknown()).optional(),
      jobName: z.string().optional(),
      stage: z.string().optional(),
    })
    .loose(),
});

export const MODELS = assetKind('model', 'models', ModelVersionBody, async (ctx, _type, uri) => {
  const field = 'properties.modelUri';
  if (!(await fileOrFolderExists(ctx, ctx.blobs.resolve(uri, field)))) {
    throw badRequest(`Nothing found in storage at '${uri}'.`, field, 'UserError');
  }
});

/** The registered model a deployment names (ARM id or azureml:{name}:{version}); 400 when there is none. */
export function requireModel(ctx: EmulatorContext, modelRef: string): AssetVersion {
  const version = resolveAssetRef(ctx, MODELS, modelRef);
  if (!version) {
    throw badRequest(`Model '${modelRef}' was not found in this workspace.`, 'properties.model', 'UserError');
  }
  return version;
}

const notDeployable = (message: string) => new AzureError(400, 'ModelNotDeployable', message, 'properties.model');

/** Reads a registered model's ModelArtifact (model.json) from storage; fails with a readable reason. */
export async function readModelArtifact(
  ctx: EmulatorContext,
  modelRef: string,
): Promise<{ text: string; name: string; version: string }> {
  const version = requireModel(ctx, modelRef);
  const arm = /\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(version.id);
  const uri = String(version.properties.modelUri);
  const ref = ctx.blobs.resolve(uri, 'properties.model');
  let path: string | undefined;
  if (/\.json$/i.test(ref.path) && (await ctx.blobs.exists(ref))) path = ref.path;
  else {
    const names = await ctx.blobs.listNames({ container: ref.container, path: ref.path.replace(/\/*$/, '/') });
    path = names.filter((n) => /(^|\/)model\.json$/i.test(n)).sort((a, b) => a.length - b.length)[0];
  }
  if (!path) {
    throw notDeployable(`Model '${modelRef}' (${uri}) contains no model.json artifact the scoring server can load.`);
  }
  const text = await ctx.blobs.readText({ container: ref.container, path });
  let artifact: { format?: unknown };
  try {
    artifact = JSON.parse(text) as { format?: unknown };
  } catch {
    throw notDeployable(`Model '${modelRef}': ${path} is not valid JSON.`);
  }
  if (artifact.format !== 'amlops-model') {
    const why = "format must be 'amlops-model'";
    throw notDeployable(`Model '${modelRef}': ${path} is not an amlops model artifact (${why}).`);
  }
  return { text, name: arm?.[1] ?? modelRef, version: arm?.[2] ?? '' };
}

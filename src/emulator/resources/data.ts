// Data assets: mltable, uri_file and uri_folder versions checked against storage, and job inputs resolved through them.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { badRequest } from '../errors';
import { CommonFields, assetKind, fileOrFolderExists, resolveAssetRef } from './assets';

const DataVersionBody = z.object({
  properties: z
    .object({
      ...CommonFields,
      dataType: z.enum(['mltable', 'uri_file', 'uri_folder']),
      dataUri: z.string().min(1),
      referencedUris: z.array(z.string()).optional(),
    })
    .loose(),
});

export const DATA = assetKind('data', 'data', DataVersionBody, async (ctx, type, uri) => {
  const field = 'properties.dataUri';
  const ref = ctx.blobs.resolve(uri, field);
  if (type === 'mltable') {
    const mltable = `${ref.path.replace(/\/*$/, '/')}MLTable`.replace(/^\/+/, '');
    if (!(await ctx.blobs.exists({ container: ref.container, path: mltable }))) {
      const why = 'an mltable data asset points at a folder containing an MLTable file';
      throw badRequest(`No MLTable file found at '${uri}': ${why}.`, field, 'UserError');
    }
    return;
  }
  const found = type === 'uri_file' ? await ctx.blobs.exists(ref) : await fileOrFolderExists(ctx, ref);
  if (!found) throw badRequest(`Nothing found in storage at '${uri}'.`, field, 'UserError');
});

/** A job input reference (azureml:name:version, data ARM id, or a direct URI) as the URI and type to read. */
export function resolveDataInput(
  ctx: EmulatorContext,
  uri: string,
  jobInputType: string,
): { uri: string; type: 'mltable' | 'uri_file' } {
  const field = 'properties.taskDetails.trainingData.uri';
  if (/^azureml:[^/]/i.test(uri) || /\/data\/[^/]+\/versions\/[^/]+$/i.test(uri)) {
    const asset = resolveAssetRef(ctx, DATA, uri);
    if (!asset) throw badRequest(`Data asset '${uri}' was not found in this workspace.`, field, 'UserError');
    const type = String(asset.properties.dataType);
    if (type !== 'mltable' && type !== 'uri_file') {
      throw badRequest(`Data asset '${uri}' is ${type}; AutoML training data must be mltable.`, field, 'UserError');
    }
    return { uri: String(asset.properties.dataUri), type };
  }
  if (jobInputType !== 'mltable' && jobInputType !== 'uri_file') {
    const typeField = 'properties.taskDetails.trainingData.jobInputType';
    throw badRequest(`jobInputType '${jobInputType}' cannot be training data; use mltable.`, typeField, 'UserError');
  }
  ctx.blobs.resolve(uri, field);
  return { uri, type: jobInputType };
}

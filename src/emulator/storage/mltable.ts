// MLTable folders: reads the MLTable file (YAML) and the delimited files it names, giving the table's CSV text.
import { safeLoad } from 'js-yaml';
import { badRequest } from '../errors';
import type { BlobRef, WorkspaceBlobs } from './blobs';

interface MLTableSpec {
  paths?: { file?: string; folder?: string; pattern?: string }[];
  transformations?: (string | Record<string, Record<string, unknown> | null>)[];
}

export interface DelimitedTable {
  files: BlobRef[];
  delimiter: string;
  /** One CSV text per file, header included. */
  texts: string[];
}

/** Reads an MLTable folder (or a plain CSV for uri_file inputs) into delimited text. */
export async function readTable(
  blobs: WorkspaceBlobs,
  uri: string,
  type: 'mltable' | 'uri_file',
  field: string,
): Promise<DelimitedTable> {
  const ref = blobs.resolve(uri, field);
  if (type === 'uri_file') {
    if (!(await blobs.exists(ref))) throw badRequest(`The file '${uri}' does not exist.`, field, 'UserError');
    return { files: [ref], delimiter: ',', texts: [await blobs.readText(ref)] };
  }
  const folder = ref.path.replace(/\/*$/, '/').replace(/^\/+/, '');
  const mltableRef = { container: ref.container, path: `${folder}MLTable` };
  if (!(await blobs.exists(mltableRef))) throw badRequest(`No MLTable file in '${uri}'.`, field, 'UserError');
  let spec: MLTableSpec;
  try {
    spec = (safeLoad(await blobs.readText(mltableRef)) ?? {}) as MLTableSpec;
  } catch (e) {
    throw badRequest(`The MLTable file in '${uri}' is not valid YAML: ${(e as Error).message}`, field, 'UserError');
  }
  let delimiter = ',';
  for (const t of spec.transformations ?? []) {
    if (typeof t === 'object' && t && 'read_delimited' in t) {
      const d = t.read_delimited?.delimiter;
      if (typeof d === 'string' && d.length) delimiter = d;
    }
  }
  const files: BlobRef[] = [];
  for (const p of spec.paths ?? []) {
    if (p.file) files.push(resolveRelative(blobs, ref.container, folder, p.file, field));
    else if (p.folder || p.pattern) {
      const base = p.folder
        ? resolveRelative(blobs, ref.container, folder, p.folder, field)
        : { container: ref.container, path: folder };
      const names = await blobs.listNames({ container: base.container, path: base.path.replace(/\/*$/, '/') });
      const re = p.pattern ? globToRegExp(p.pattern) : /\.(csv|tsv|txt)$/i;
      for (const n of names.sort())
        if (re.test(n.slice(folder.length)) || (!p.pattern && re.test(n)))
          files.push({ container: base.container, path: n });
    }
  }
  if (!files.length)
    throw badRequest(`The MLTable file in '${uri}' names no data files under 'paths'.`, field, 'UserError');
  const texts: string[] = [];
  for (const f of files) {
    if (!(await blobs.exists(f)))
      throw badRequest(`The MLTable in '${uri}' names '${f.path}', which does not exist.`, field, 'UserError');
    texts.push(await blobs.readText(f));
  }
  return { files, delimiter, texts };
}

function resolveRelative(blobs: WorkspaceBlobs, container: string, folder: string, p: string, field: string): BlobRef {
  if (/^(azureml|https?):\/\//i.test(p)) return blobs.resolve(p, field);
  const parts = `${folder}${p.replace(/^\.\//, '')}`.split('/');
  const out: string[] = [];
  for (const s of parts) {
    if (s === '..') out.pop();
    else if (s !== '.' && s !== '') out.push(s);
  }
  return { container, path: out.join('/') };
}

function globToRegExp(glob: string): RegExp {
  const g = glob.replace(/^\.\//, '');
  const re = g
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replaceAll('\u0000', '.*');
  return new RegExp(`^${re}$`);
}

// Versioned assets (data and models): containers and versions PUT/GET/list/DELETE, with the URI checked against storage.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { badRequest, conflict, notFound } from '../errors';
import { WS_ROUTE, childId, childType, systemData, type ArmResource } from '../ids';
import { checkName, parse, send } from '../http';
import type { Kind } from '../store';
import type { BlobRef } from '../storage/blobs';

const Common = {
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  isAnonymous: z.boolean().optional(),
  isArchived: z.boolean().optional(),
};

const DataVersionBody = z.object({
  properties: z
    .object({
      ...Common,
      dataType: z.enum(['mltable', 'uri_file', 'uri_folder']),
      dataUri: z.string().min(1),
      referencedUris: z.array(z.string()).optional(),
    })
    .loose(),
});

const ModelVersionBody = z.object({
  properties: z
    .object({
      ...Common,
      modelType: z.string().default('custom_model'),
      modelUri: z.string().min(1),
      flavors: z.record(z.string(), z.unknown()).optional(),
      jobName: z.string().optional(),
      stage: z.string().optional(),
    })
    .loose(),
});

const ContainerBody = z.object({ properties: z.object({ ...Common }).loose().default({}) });

export interface AssetVersion extends ArmResource {
  properties: Record<string, unknown> & { description?: string; tags: Record<string, string>; properties: Record<string, string>; isArchived: boolean; isAnonymous: boolean };
}

export interface AssetContainer extends ArmResource {
  properties: { description?: string; tags: Record<string, string>; properties: Record<string, string>; isArchived: boolean; latestVersion?: string; nextVersion?: string; dataType?: string };
}

interface AssetKind {
  segment: 'data' | 'models';
  what: string;
  containers: Kind;
  versions: Kind;
  ops: { container: string; version: string };
  schema: z.ZodType<{ properties: Record<string, unknown> }>;
  uriField: 'dataUri' | 'modelUri';
  typeField: 'dataType' | 'modelType';
}

const KINDS: AssetKind[] = [
  { segment: 'data', what: 'data', containers: 'dataContainers', versions: 'dataVersions', ops: { container: 'DataContainers', version: 'DataVersions' }, schema: DataVersionBody, uriField: 'dataUri', typeField: 'dataType' },
  { segment: 'models', what: 'model', containers: 'modelContainers', versions: 'modelVersions', ops: { container: 'ModelContainers', version: 'ModelVersions' }, schema: ModelVersionBody, uriField: 'modelUri', typeField: 'modelType' },
];

export function registerAssetRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  for (const k of KINDS) registerKind(app, ctx, k);
}

/** Checks that what a data or model version points at is really in storage; 400 naming the field if not. */
async function checkUri(ctx: EmulatorContext, kind: AssetKind, type: string, uri: string): Promise<void> {
  const field = `properties.${kind.uriField}`;
  const ref: BlobRef = ctx.blobs.resolve(uri, field);
  const folder = { container: ref.container, path: ref.path.replace(/\/*$/, '/') };
  let found: boolean;
  if (kind.segment === 'data' && type === 'mltable') {
    found = await ctx.blobs.exists({ container: ref.container, path: `${folder.path}MLTable`.replace(/^\/+/, '') });
    if (!found) throw badRequest(`No MLTable file found at '${uri}': an mltable data asset points at a folder containing an MLTable file.`, field, 'UserError');
    return;
  }
  if (kind.segment === 'data' && type === 'uri_file') found = await ctx.blobs.exists(ref);
  else found = (await ctx.blobs.exists(ref)) || (await ctx.blobs.listNames(folder)).length > 0;
  if (!found) throw badRequest(`Nothing found in storage at '${uri}'.`, field, 'UserError');
}

function registerKind(app: FastifyInstance, ctx: EmulatorContext, kind: AssetKind): void {
  const base = `${WS_ROUTE}/${kind.segment}`;
  const vkey = (name: string, version: string) => `${name}/${version}`;

  const containerOf = (name: string) => ctx.store.get<AssetContainer>(kind.containers, name);
  const versionsOf = (name: string) => ctx.store.list<AssetVersion>(kind.versions, `${name}/`);

  const upsertContainer = (name: string, patch: Partial<AssetContainer['properties']>) => {
    const now = new Date().toISOString();
    const existing = containerOf(name);
    const c: AssetContainer = {
      id: childId(ctx.ws, kind.segment, name),
      name: existing?.name ?? name,
      type: childType(kind.segment),
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      properties: { tags: {}, properties: {}, isArchived: false, ...existing?.properties, ...patch },
    };
    return ctx.store.put(kind.containers, name, c);
  };

  app.get(base, { config: { operation: `${kind.ops.container}_List` } }, async () => ({ value: ctx.store.list<AssetContainer>(kind.containers) }));

  app.get<{ Params: { name: string } }>(`${base}/:name`, { config: { operation: `${kind.ops.container}_Get` } }, async (req) => {
    const c = containerOf(req.params.name);
    if (!c) throw notFound(`${kind.what} container`, req.params.name);
    return c;
  });

  app.put<{ Params: { name: string } }>(`${base}/:name`, { config: { operation: `${kind.ops.container}_CreateOrUpdate` } }, async (req, reply) => {
    const name = checkName(req.params.name, 'name');
    const body = parse(ContainerBody, req.body);
    const existed = !!containerOf(name);
    const p = body.properties;
    const c = upsertContainer(name, { description: p.description, tags: p.tags ?? {}, properties: p.properties ?? {}, isArchived: p.isArchived ?? false });
    return send(reply, existed ? 200 : 201, c);
  });

  app.delete<{ Params: { name: string } }>(`${base}/:name`, { config: { operation: `${kind.ops.container}_Delete` } }, async (req, reply) => {
    const c = containerOf(req.params.name);
    if (!c) return reply.code(204).send();
    for (const v of versionsOf(req.params.name)) ctx.store.delete(kind.versions, vkey(req.params.name, v.name));
    ctx.store.delete(kind.containers, req.params.name);
    return reply.code(200).send();
  });

  app.get<{ Params: { name: string } }>(`${base}/:name/versions`, { config: { operation: `${kind.ops.version}_List` } }, async (req) => {
    const list = versionsOf(req.params.name).sort((a, b) => compareVersions(b.name, a.name));
    return { value: list };
  });

  app.get<{ Params: { name: string; version: string } }>(`${base}/:name/versions/:version`, { config: { operation: `${kind.ops.version}_Get` } }, async (req) => {
    const v = ctx.store.get<AssetVersion>(kind.versions, vkey(req.params.name, req.params.version));
    if (!v) throw notFound(`${kind.what} version`, `${req.params.name}:${req.params.version}`);
    return v;
  });

  app.put<{ Params: { name: string; version: string } }>(`${base}/:name/versions/:version`, { config: { operation: `${kind.ops.version}_CreateOrUpdate` } }, async (req, reply) => {
    const name = checkName(req.params.name, 'name');
    const version = checkName(req.params.version, 'version');
    const body = parse(kind.schema, req.body);
    const props = body.properties;
    const uri = String(props[kind.uriField]);
    const type = String(props[kind.typeField]);
    const existing = ctx.store.get<AssetVersion>(kind.versions, vkey(name, version));
    // Azure asset versions are immutable in what they point at; only metadata may change.
    if (existing && (existing.properties[kind.uriField] !== uri || existing.properties[kind.typeField] !== type)) {
      throw conflict(`${kind.what} '${name}' version '${version}' already exists with a different ${kind.uriField} or ${kind.typeField}; versions are immutable, register a new version.`, `properties.${kind.uriField}`);
    }
    await checkUri(ctx, kind, type, uri);
    const now = new Date().toISOString();
    const v: AssetVersion = {
      id: childId(ctx.ws, kind.segment, name, 'versions', version),
      name: version,
      type: childType(kind.segment, 'versions'),
      systemData: systemData(existing?.systemData.createdAt ?? now, now),
      properties: { ...props, tags: (props.tags as Record<string, string>) ?? {}, properties: (props.properties as Record<string, string>) ?? {}, isArchived: (props.isArchived as boolean) ?? false, isAnonymous: (props.isAnonymous as boolean) ?? false },
    };
    ctx.store.put(kind.versions, vkey(name, version), v);
    const all = versionsOf(name).map((x) => x.name).sort(compareVersions);
    const latest = all[all.length - 1];
    const numeric = all.filter((x) => /^\d+$/.test(x)).map(Number);
    upsertContainer(name, { latestVersion: latest, nextVersion: String((numeric.length ? Math.max(...numeric) : 0) + 1), ...(kind.segment === 'data' ? { dataType: type } : {}) });
    return send(reply, existing ? 200 : 201, v);
  });

  app.delete<{ Params: { name: string; version: string } }>(`${base}/:name/versions/:version`, { config: { operation: `${kind.ops.version}_Delete` } }, async (req, reply) => {
    const existed = ctx.store.delete(kind.versions, vkey(req.params.name, req.params.version));
    return reply.code(existed ? 200 : 204).send();
  });
}

/** Numeric versions compare as numbers ("10" after "9"), others as text. */
export function compareVersions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b);
}

/**
 * Resolves an asset reference as jobs and deployments give it: an ARM id (.../data/{n}/versions/{v}),
 * azureml:{name}:{version}, or azureml:{name}@latest. Returns the stored version or undefined.
 */
export function resolveAssetRef(ctx: EmulatorContext, segment: 'data' | 'models', ref: string): AssetVersion | undefined {
  const kind: Kind = segment === 'data' ? 'dataVersions' : 'modelVersions';
  const arm = new RegExp(`/${segment}/([^/]+)/versions/([^/]+)$`, 'i').exec(ref);
  if (arm) return ctx.store.get<AssetVersion>(kind, `${arm[1]}/${arm[2]}`);
  const short = /^azureml:([^:@/]+)(?::([^:@/]+)|@latest)?$/i.exec(ref);
  if (short) {
    if (short[2]) return ctx.store.get<AssetVersion>(kind, `${short[1]}/${short[2]}`);
    const all = ctx.store.list<AssetVersion>(kind, `${short[1]}/`).sort((a, b) => compareVersions(a.name, b.name));
    return all[all.length - 1];
  }
  return undefined;
}

// Versioned assets, the machinery data and models share: containers, immutable versions and references to them.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Removal, Upsert } from '../crud';
import { conflict } from '../errors';
import { armChild, rewrittenSystemData, type ArmResource } from '../ids';
import { checkName, parse } from '../http';
import type { Kind } from '../store';
import type { BlobRef } from '../storage/blobs';

/** Body fields every container and version takes. */
export const CommonFields = {
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  isAnonymous: z.boolean().optional(),
  isArchived: z.boolean().optional(),
};

const ContainerBody = z.object({
  properties: z
    .object({ ...CommonFields })
    .loose()
    .default({}),
});

export interface AssetVersion extends ArmResource {
  properties: Record<string, unknown> & {
    description?: string;
    tags: Record<string, string>;
    properties: Record<string, string>;
    isArchived: boolean;
    isAnonymous: boolean;
  };
}

export interface AssetContainer extends ArmResource {
  properties: {
    description?: string;
    tags: Record<string, string>;
    properties: Record<string, string>;
    isArchived: boolean;
    latestVersion?: string;
    nextVersion?: string;
    dataType?: string;
  };
}

/** What sets data apart from models: where they live, their body schema, and what their URI must point at. */
export interface AssetKind {
  what: 'data' | 'model';
  /** Path segment and ARM type of its containers: data, models. */
  segment: 'data' | 'models';
  containers: Kind;
  versions: Kind;
  schema: z.ZodType<{ properties: Record<string, unknown> }>;
  uriField: 'dataUri' | 'modelUri';
  typeField: 'dataType' | 'modelType';
  /** Checks that what a version points at is really in storage; 400 naming the field if not. */
  checkUri(ctx: EmulatorContext, type: string, uri: string): Promise<void>;
}

/** An asset kind named as Azure names it throughout: data in dataContainers, dataVersions, dataUri, dataType. */
export function assetKind(
  what: AssetKind['what'],
  segment: AssetKind['segment'],
  schema: AssetKind['schema'],
  checkUri: AssetKind['checkUri'],
): AssetKind {
  const fields = { uriField: `${what}Uri`, typeField: `${what}Type` } as const;
  return { what, segment, containers: `${what}Containers`, versions: `${what}Versions`, schema, ...fields, checkUri };
}

/** Whether a blob, or any blob under it as a folder, exists. */
export async function fileOrFolderExists(ctx: EmulatorContext, ref: BlobRef): Promise<boolean> {
  const folder = { container: ref.container, path: ref.path.replace(/\/*$/, '/') };
  return (await ctx.blobs.exists(ref)) || (await ctx.blobs.listNames(folder)).length > 0;
}

const versionKey = (name: string, version: string) => `${name}/${version}`;

export function getContainer(ctx: EmulatorContext, kind: AssetKind, name: string): AssetContainer | undefined {
  return ctx.store.get<AssetContainer>(kind.containers, name);
}

export function listContainers(ctx: EmulatorContext, kind: AssetKind): AssetContainer[] {
  return ctx.store.list<AssetContainer>(kind.containers);
}

function versionsOf(ctx: EmulatorContext, kind: AssetKind, name: string): AssetVersion[] {
  return ctx.store.list<AssetVersion>(kind.versions, `${name}/`);
}

function upsertContainer(
  ctx: EmulatorContext,
  kind: AssetKind,
  name: string,
  patch: Partial<AssetContainer['properties']>,
): AssetContainer {
  const existing = getContainer(ctx, kind, name);
  const c: AssetContainer = {
    ...armChild(ctx.ws, kind.segment, name),
    name: existing?.name ?? name,
    systemData: rewrittenSystemData(existing),
    properties: { tags: {}, properties: {}, isArchived: false, ...existing?.properties, ...patch },
  };
  return ctx.store.put(kind.containers, name, c);
}

export function createOrUpdateContainer(
  ctx: EmulatorContext,
  kind: AssetKind,
  containerName: string,
  body: unknown,
): Upsert<AssetContainer> {
  const name = checkName(containerName, 'name');
  const p = parse(ContainerBody, body).properties;
  const existed = !!getContainer(ctx, kind, name);
  const patch = {
    description: p.description,
    tags: p.tags ?? {},
    properties: p.properties ?? {},
    isArchived: p.isArchived ?? false,
  };
  return { resource: upsertContainer(ctx, kind, name, patch), created: !existed };
}

/** A container goes with all its versions, at once (Azure's asset deletes are synchronous). */
export function removeContainer(ctx: EmulatorContext, kind: AssetKind, name: string): Removal {
  if (!getContainer(ctx, kind, name)) return 'absent';
  for (const v of versionsOf(ctx, kind, name)) ctx.store.delete(kind.versions, versionKey(name, v.name));
  ctx.store.delete(kind.containers, name);
  return 'removed';
}

export function getVersion(ctx: EmulatorContext, kind: AssetKind, name: string, version: string) {
  return ctx.store.get<AssetVersion>(kind.versions, versionKey(name, version));
}

/** Newest first. */
export function listVersions(ctx: EmulatorContext, kind: AssetKind, name: string): AssetVersion[] {
  return versionsOf(ctx, kind, name).sort((a, b) => compareVersions(b.name, a.name));
}

/** Stores a version once what it points at is found in storage, and keeps the container's latest/next in step. */
export async function createOrUpdateVersion(
  ctx: EmulatorContext,
  kind: AssetKind,
  assetName: string,
  versionName: string,
  body: unknown,
): Promise<Upsert<AssetVersion>> {
  const name = checkName(assetName, 'name');
  const version = checkName(versionName, 'version');
  const props = parse(kind.schema, body).properties;
  const uri = String(props[kind.uriField]);
  const type = String(props[kind.typeField]);
  const existing = getVersion(ctx, kind, name, version);
  // Azure asset versions are immutable in what they point at; only metadata may change.
  if (existing && (existing.properties[kind.uriField] !== uri || existing.properties[kind.typeField] !== type)) {
    throw conflict(
      `${kind.what} '${name}' version '${version}' already exists with a different ${kind.uriField} or ` +
        `${kind.typeField}; versions are immutable, register a new version.`,
      `properties.${kind.uriField}`,
    );
  }
  await kind.checkUri(ctx, type, uri);
  const v: AssetVersion = {
    ...armChild(ctx.ws, kind.segment, name, 'versions', version),
    systemData: rewrittenSystemData(existing),
    properties: {
      ...props,
      tags: (props.tags as Record<string, string>) ?? {},
      properties: (props.properties as Record<string, string>) ?? {},
      isArchived: (props.isArchived as boolean) ?? false,
      isAnonymous: (props.isAnonymous as boolean) ?? false,
    },
  };
  ctx.store.put(kind.versions, versionKey(name, version), v);
  const all = versionsOf(ctx, kind, name)
    .map((x) => x.name)
    .sort(compareVersions);
  const numeric = all.filter((x) => /^\d+$/.test(x)).map(Number);
  upsertContainer(ctx, kind, name, {
    latestVersion: all[all.length - 1],
    nextVersion: String((numeric.length ? Math.max(...numeric) : 0) + 1),
    ...(kind.segment === 'data' ? { dataType: type } : {}),
  });
  return { resource: v, created: !existing };
}

export function removeVersion(ctx: EmulatorContext, kind: AssetKind, name: string, version: string): Removal {
  return ctx.store.delete(kind.versions, versionKey(name, version)) ? 'removed' : 'absent';
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
export function resolveAssetRef(ctx: EmulatorContext, kind: AssetKind, ref: string): AssetVersion | undefined {
  const arm = new RegExp(`/${kind.segment}/([^/]+)/versions/([^/]+)$`, 'i').exec(ref);
  if (arm) return getVersion(ctx, kind, arm[1], arm[2]);
  const short = /^azureml:([^:@/]+)(?::([^:@/]+)|@latest)?$/i.exec(ref);
  if (short) {
    if (short[2]) return getVersion(ctx, kind, short[1], short[2]);
    const all = versionsOf(ctx, kind, short[1]).sort((a, b) => compareVersions(a.name, b.name));
    return all[all.length - 1];
  }
  return undefined;
}

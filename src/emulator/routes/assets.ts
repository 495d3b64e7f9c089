// Data and model routes (DataContainers_*, DataVersions_*, ModelContainers_*, ModelVersions_*) over resources/assets.
import { registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { WS_ROUTE } from '../ids';
import * as assets from '../resources/assets';
import { DATA } from '../resources/data';
import { MODELS } from '../resources/models';

export const assetRoutes: RoutePlugin = async (app, { ctx }) => {
  for (const [kind, group] of [
    [DATA, 'Data'],
    [MODELS, 'Model'],
  ] as const) {
    const base = `${WS_ROUTE}/${kind.segment}`;
    registerArmResource(app, ctx.ops, {
      group: `${group}Containers`,
      path: `${base}/:name`,
      what: `${kind.what} container`,
      get: (p) => assets.getContainer(ctx, kind, p.name),
      list: () => assets.listContainers(ctx, kind),
      createOrUpdate: (p, body) => assets.createOrUpdateContainer(ctx, kind, p.name, body),
      remove: (p) => assets.removeContainer(ctx, kind, p.name),
    });
    registerArmResource(app, ctx.ops, {
      group: `${group}Versions`,
      path: `${base}/:name/versions/:version`,
      what: `${kind.what} version`,
      nameOf: (p) => `${p.name}:${p.version}`,
      get: (p) => assets.getVersion(ctx, kind, p.name, p.version),
      list: (p) => assets.listVersions(ctx, kind, p.name),
      createOrUpdate: (p, body) => assets.createOrUpdateVersion(ctx, kind, p.name, p.version, body),
      remove: (p) => assets.removeVersion(ctx, kind, p.name, p.version),
    });
  }
};

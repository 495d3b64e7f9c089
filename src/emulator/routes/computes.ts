// Compute routes (Compute_*): AmlCompute clusters over resources/computes; create and delete are LROs.
import { registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { WS_ROUTE } from '../ids';
import * as computes from '../resources/computes';

export const computeRoutes: RoutePlugin = async (app, { ctx }) => {
  registerArmResource(app, ctx.ops, {
    group: 'Compute',
    path: `${WS_ROUTE}/computes/:name`,
    what: 'compute',
    get: (p) => computes.get(ctx, p.name),
    list: () => computes.list(ctx),
    view: (c) => computes.view(ctx, c),
    createOrUpdate: (p, body) => computes.createOrUpdate(ctx, p.name, body),
    remove: (p, q) => computes.remove(ctx, p.name, q.underlyingResourceAction),
  });
};

// Online endpoint routes (OnlineEndpoints_*): over resources/onlineEndpoints; create, update, delete are LROs.
import { accepted, registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { WS_ROUTE } from '../ids';
import * as onlineEndpoints from '../resources/onlineEndpoints';

export const onlineEndpointRoutes: RoutePlugin = async (app, { ctx }) => {
  const path = `${WS_ROUTE}/onlineEndpoints/:ep`;
  registerArmResource(app, ctx.ops, {
    group: 'OnlineEndpoints',
    path,
    what: 'online endpoint',
    get: (p) => onlineEndpoints.get(ctx, p.ep),
    list: () => onlineEndpoints.list(ctx),
    createOrUpdate: (p, body) => onlineEndpoints.createOrUpdate(ctx, p.ep, body),
    remove: (p) => onlineEndpoints.remove(ctx, p.ep),
  });

  app.post<{ Params: { ep: string } }>(
    `${path}/listKeys`,
    { config: { operation: 'OnlineEndpoints_ListKeys' } },
    async (req) => onlineEndpoints.listKeys(ctx, req.params.ep),
  );
  // The new key is in force when the answer goes out; the LRO is only Azure's envelope around it.
  app.post<{ Params: { ep: string } }>(
    `${path}/regenerateKeys`,
    { config: { operation: 'OnlineEndpoints_RegenerateKeys' } },
    async (req, reply) => {
      onlineEndpoints.regenerateKeys(ctx, req.params.ep, req.body);
      return accepted(ctx.ops, reply, async () => {});
    },
  );
};

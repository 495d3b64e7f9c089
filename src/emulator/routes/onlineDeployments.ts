// Online deployment routes (OnlineDeployments_*): over resources/onlineDeployments; create and delete are LROs.
import { registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { WS_ROUTE } from '../ids';
import * as onlineDeployments from '../resources/onlineDeployments';

export const onlineDeploymentRoutes: RoutePlugin = async (app, { ctx }) => {
  const path = `${WS_ROUTE}/onlineEndpoints/:ep/deployments/:d`;
  registerArmResource(app, ctx.ops, {
    group: 'OnlineDeployments',
    path,
    what: 'online deployment',
    get: (p) => onlineDeployments.get(ctx, p.ep, p.d),
    list: (p) => onlineDeployments.list(ctx, p.ep),
    createOrUpdate: (p, body) => onlineDeployments.createOrUpdate(ctx, p.ep, p.d, body),
    remove: (p) => onlineDeployments.remove(ctx, p.ep, p.d),
  });
  app.post<{ Params: { ep: string; d: string } }>(
    `${path}/getLogs`,
    { config: { operation: 'OnlineDeployments_GetLogs' } },
    async (req) => onlineDeployments.getLogs(ctx, req.params.ep, req.params.d, req.body),
  );
};

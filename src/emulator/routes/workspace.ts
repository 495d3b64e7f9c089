// Workspace and datastore routes (Workspaces_*, Datastores_*) over resources/workspace.
import { registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { PROVIDER, WS_ROUTE } from '../ids';
import * as workspace from '../resources/workspace';

export const workspaceRoutes: RoutePlugin = async (app, { ctx }) => {
  app.get(WS_ROUTE, { config: { operation: 'Workspaces_Get' } }, async () => workspace.workspace(ctx));
  app.get(
    `/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/${PROVIDER}/workspaces`,
    { config: { operation: 'Workspaces_ListByResourceGroup' } },
    async () => ({ value: [workspace.workspace(ctx)] }),
  );

  registerArmResource(app, ctx.ops, {
    group: 'Datastores',
    path: `${WS_ROUTE}/datastores/:name`,
    what: 'datastore',
    get: (p) => workspace.getDatastore(ctx, p.name),
    list: () => workspace.listDatastores(ctx),
  });
  app.post<{ Params: { name: string } }>(
    `${WS_ROUTE}/datastores/:name/listSecrets`,
    { config: { operation: 'Datastores_ListSecrets' } },
    async (req) => workspace.listSecrets(ctx, req.params.name),
  );
};

// Schedule routes (Schedules_*): over resources/schedules; create, update and delete are LROs. Plus a test hook.
import { registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { WS_ROUTE } from '../ids';
import * as schedules from '../resources/schedules';

export const scheduleRoutes: RoutePlugin = async (app, { ctx }) => {
  registerArmResource(app, ctx.ops, {
    group: 'Schedules',
    path: `${WS_ROUTE}/schedules/:name`,
    what: 'schedule',
    get: (p) => schedules.get(ctx, p.name),
    list: () => schedules.list(ctx),
    createOrUpdate: (p, body) => schedules.createOrUpdate(ctx, p.name, body),
    remove: (p) => schedules.remove(ctx, p.name),
  });

  /** Test hook: fire a schedule now instead of waiting for its trigger. */
  app.post<{ Params: { name: string } }>('/_admin/schedules/:name/trigger', async (req) =>
    schedules.trigger(ctx, req.params.name),
  );
};

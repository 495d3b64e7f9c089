// Job routes (Jobs_*): AutoML jobs over resources/jobs; PUT is synchronous, cancel and delete are LROs.
import { accepted, registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { WS_ROUTE } from '../ids';
import * as jobs from '../resources/jobs';

export const jobRoutes: RoutePlugin = async (app, { ctx }) => {
  const path = `${WS_ROUTE}/jobs/:id`;
  registerArmResource(app, ctx.ops, {
    group: 'Jobs',
    path,
    what: 'job',
    get: (p) => jobs.get(ctx, p.id),
    list: (_p, q) => jobs.list(ctx, q),
    createOrUpdate: (p, body) => jobs.createOrUpdate(ctx, p.id, body),
    remove: (p) => jobs.remove(ctx, p.id),
  });
  app.post<{ Params: { id: string } }>(`${path}/cancel`, { config: { operation: 'Jobs_Cancel' } }, async (req, reply) =>
    accepted(ctx.ops, reply, jobs.cancel(ctx, req.params.id)),
  );
};

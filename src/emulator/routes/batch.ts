// Batch routes: endpoints and deployments (BatchEndpoints_*, BatchDeployments_*; LROs) and the jobs invoked at an
// endpoint's scoringUri, which takes a workspace bearer token (authMode AADToken) as Azure's does.
import { registerArmResource } from '../crud';
import type { RoutePlugin } from '../context';
import { notFound } from '../errors';
import { WS_ROUTE } from '../ids';
import * as batchEndpoints from '../resources/batchEndpoints';
import * as batchDeployments from '../resources/batchDeployments';
import * as batchJobs from '../resources/batchJobs';

export const batchRoutes: RoutePlugin = async (app, { ctx }) => {
  const epPath = `${WS_ROUTE}/batchEndpoints/:ep`;
  registerArmResource(app, ctx.ops, {
    group: 'BatchEndpoints',
    path: epPath,
    what: 'batch endpoint',
    get: (p) => batchEndpoints.get(ctx, p.ep),
    list: () => batchEndpoints.list(ctx),
    createOrUpdate: (p, body) => batchEndpoints.createOrUpdate(ctx, p.ep, body),
    remove: (p) => batchEndpoints.remove(ctx, p.ep),
  });
  registerArmResource(app, ctx.ops, {
    group: 'BatchDeployments',
    path: `${epPath}/deployments/:d`,
    what: 'batch deployment',
    get: (p) => batchDeployments.get(ctx, p.ep, p.d),
    list: (p) => batchDeployments.list(ctx, p.ep),
    createOrUpdate: (p, body) => batchDeployments.createOrUpdate(ctx, p.ep, p.d, body),
    remove: (p) => batchDeployments.remove(ctx, p.ep, p.d),
  });

  app.post<{ Params: { ep: string } }>(
    '/batch/:ep/jobs',
    { config: { operation: 'BatchEndpoints_Invoke' } },
    async (req, reply) => {
      const header = req.headers['azureml-model-deployment'] as string | undefined;
      const job = batchJobs.invoke(ctx, req.params.ep, req.body, header);
      return reply.code(202).header('Location', `${ctx.baseUrl()}/batch/${job.endpoint}/jobs/${job.name}`).send(job);
    },
  );
  app.get<{ Params: { ep: string; id: string } }>(
    '/batch/:ep/jobs/:id',
    { config: { operation: 'BatchJobs_Get' } },
    async (req) => {
      const job = batchJobs.get(ctx, req.params.ep, req.params.id);
      if (!job) throw notFound('batch job', req.params.id);
      return job;
    },
  );
};

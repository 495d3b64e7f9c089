// Azure Monitor's Metrics - List for an online endpoint resource, answered from its front end's telemetry.
import type { RoutePlugin } from '../context';
import { AzureError, notFound } from '../errors';
import { WS_ROUTE } from '../ids';
import { METRICS_API_VERSIONS, MetricsQueryError, metricsResponse, type MetricsQuery } from '../metrics-api';
import * as onlineEndpoints from '../resources/onlineEndpoints';

export const metricsRoutes: RoutePlugin = async (app, { ctx }) => {
  const path = `${WS_ROUTE}/onlineEndpoints/:ep/providers/Microsoft.Insights/metrics`;
  app.get<{ Params: { ep: string }; Querystring: MetricsQuery & { 'api-version'?: string } }>(
    path,
    { config: { operation: 'Metrics_List' } },
    async (req, reply) => {
      const version = String(req.query['api-version']);
      // ARM itself refuses an unknown api-version, in its own error shape, before Azure Monitor sees the query.
      if (!METRICS_API_VERSIONS.includes(version)) {
        throw new AzureError(
          400,
          'NoRegisteredProviderFound',
          `No registered resource provider found for location '${ctx.ws.location}' and API version '${version}' for ` +
            `type 'metrics'. The supported api-versions are '${METRICS_API_VERSIONS.join(', ')}'.`,
          'api-version',
        );
      }
      const e = onlineEndpoints.get(ctx, req.params.ep);
      if (!e) throw notFound('online endpoint', req.params.ep);
      try {
        return metricsResponse(e.id, e.location, req.query, (from, to) => ctx.liveMetrics.between(e.name, from, to));
      } catch (err) {
        if (!(err instanceof MetricsQueryError)) throw err;
        return reply.code(err.statusCode).send({ code: err.code, message: err.message });
      }
    },
  );
};

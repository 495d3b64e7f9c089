// The MLflow REST subset Azure ML's examples use (runs/get, runs/search, metrics/get-history,
// experiments/get-by-name) over resources/runs, answering errors in MLflow's own shape.
import type { FastifyReply } from 'fastify';
import type { RoutePlugin } from '../context';
import { PROVIDER } from '../ids';
import * as runs from '../resources/runs';

const MLFLOW_ROUTE =
  `/mlflow/v1.0/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/${PROVIDER}` +
  '/workspaces/:workspaceName/api/2.0/mlflow';

/** MLflow's own error shape (not ARM's): {error_code, message}. */
function mlflowError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error_code: code, message });
}

const missing = (reply: FastifyReply, what: string) =>
  mlflowError(reply, 404, 'RESOURCE_DOES_NOT_EXIST', `${what} not found.`);

export const mlflowRoutes: RoutePlugin = async (app, { ctx }) => {
  const named = (operation: string) => ({ config: { operation } });

  app.get<{ Querystring: { run_id?: string; run_uuid?: string } }>(
    `${MLFLOW_ROUTE}/runs/get`,
    named('Mlflow_RunsGet'),
    async (req, reply) => {
      const id = req.query.run_id ?? req.query.run_uuid;
      if (!id) {
        return mlflowError(reply, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'.");
      }
      const run = runs.getRun(ctx, id);
      return run ? { run } : missing(reply, `Run '${id}'`);
    },
  );

  app.post(`${MLFLOW_ROUTE}/runs/search`, named('Mlflow_RunsSearch'), async (req, reply) => {
    const found = runs.searchRuns(ctx, req.body);
    return 'invalid' in found ? mlflowError(reply, 400, 'INVALID_PARAMETER_VALUE', found.invalid) : found;
  });

  app.get<{ Querystring: { run_id?: string; metric_key?: string } }>(
    `${MLFLOW_ROUTE}/metrics/get-history`,
    named('Mlflow_MetricsGetHistory'),
    async (req, reply) => {
      const { run_id: runId, metric_key: key } = req.query;
      const metrics = runId ? runs.metricHistory(ctx, runId, key) : undefined;
      return metrics ? { metrics } : missing(reply, `Run '${runId ?? ''}'`);
    },
  );

  app.get<{ Querystring: { experiment_name?: string } }>(
    `${MLFLOW_ROUTE}/experiments/get-by-name`,
    named('Mlflow_ExperimentsGetByName'),
    async (req, reply) => {
      const name = req.query.experiment_name;
      const experiment = name ? runs.experimentByName(ctx, name) : undefined;
      return experiment ? { experiment } : missing(reply, `Experiment '${name ?? ''}'`);
    },
  );
};

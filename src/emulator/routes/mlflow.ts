// The MLflow REST subset Azure ML's examples use: runs/get, runs/search, metrics/get-history, experiments/get-by-name.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { PROVIDER } from '../ids';
import { latestMetrics, Runs, type MlflowRun } from '../jobs/runs';

export const MLFLOW_ROUTE = `/mlflow/v1.0/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/${PROVIDER}/workspaces/:workspaceName/api/2.0/mlflow`;

/** MLflow's own error shape (not ARM's): {error_code, message}. */
function mlflowError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error_code: code, message });
}

const view = (run: MlflowRun) => ({ info: run.info, data: { ...run.data, metrics: latestMetrics(run) } });

const SearchBody = z.object({
  experiment_ids: z.array(z.string()).optional(),
  filter: z.string().optional(),
  max_results: z.number().int().positive().max(50_000).optional(),
  order_by: z.array(z.string()).optional(),
  page_token: z.string().optional(),
});

type Clause = { scope: 'tags' | 'metrics' | 'params' | 'attributes'; key: string; op: string; value: string | number };

/** Parses MLflow's filter language subset: clauses joined by AND, e.g. tags.mlflow.parentRunId = 'x' and metrics.accuracy > 0.9. */
export function parseFilter(filter: string): Clause[] | string {
  const clauses: Clause[] = [];
  for (const part of filter.split(/\s+and\s+/i).map((s) => s.trim()).filter(Boolean)) {
    const m = /^(tags|tag|metrics|metric|params|param|attributes|attribute|attr)\.(`[^`]+`|"[^"]+"|[\w.]+)\s*(=|!=|>=|<=|>|<|LIKE|ILIKE)\s*(.+)$/i.exec(part);
    if (!m) return `Invalid clause '${part}'.`;
    const scope = m[1].toLowerCase().replace(/^attr$/, 'attributes').replace(/^(tag|metric|param|attribute)$/, '$1s') as Clause['scope'];
    const key = m[2].replace(/^[`"]|[`"]$/g, '');
    const raw = m[4].trim();
    const quoted = /^'(.*)'$|^"(.*)"$/.exec(raw);
    const value = quoted ? (quoted[1] ?? quoted[2]) : Number(raw);
    if (!quoted && Number.isNaN(value)) return `Invalid value '${raw}' in clause '${part}'.`;
    clauses.push({ scope, key, op: m[3].toUpperCase(), value });
  }
  return clauses;
}

function matches(run: MlflowRun, c: Clause): boolean {
  let actual: string | number | undefined;
  if (c.scope === 'tags') actual = run.data.tags.find((t) => t.key === c.key)?.value;
  else if (c.scope === 'params') actual = run.data.params.find((t) => t.key === c.key)?.value;
  else if (c.scope === 'metrics') actual = latestMetrics(run).find((t) => t.key === c.key)?.value;
  else actual = (run.info as unknown as Record<string, string | number | undefined>)[c.key === 'run_id' ? 'run_id' : c.key];
  if (actual === undefined) return false;
  switch (c.op) {
    case '=': return String(actual) === String(c.value);
    case '!=': return String(actual) !== String(c.value);
    case '>': return Number(actual) > Number(c.value);
    case '>=': return Number(actual) >= Number(c.value);
    case '<': return Number(actual) < Number(c.value);
    case '<=': return Number(actual) <= Number(c.value);
    default: {
      const re = new RegExp(`^${String(c.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, c.op === 'ILIKE' ? 'i' : '');
      return re.test(String(actual));
    }
  }
}

export function registerMlflowRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const runs = new Runs(ctx.store);

  app.get<{ Querystring: { run_id?: string; run_uuid?: string } }>(`${MLFLOW_ROUTE}/runs/get`, { config: { operation: 'Mlflow_RunsGet' } }, async (req, reply) => {
    const id = req.query.run_id ?? req.query.run_uuid;
    if (!id) return mlflowError(reply, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'.");
    const run = runs.get(id);
    if (!run) return mlflowError(reply, 404, 'RESOURCE_DOES_NOT_EXIST', `Run '${id}' not found.`);
    return { run: view(run) };
  });

  app.post(`${MLFLOW_ROUTE}/runs/search`, { config: { operation: 'Mlflow_RunsSearch' } }, async (req, reply) => {
    const body = SearchBody.safeParse(req.body ?? {});
    if (!body.success) return mlflowError(reply, 400, 'INVALID_PARAMETER_VALUE', `Invalid search request at '${body.error.issues[0]?.path.join('.')}': ${body.error.issues[0]?.message}`);
    const clauses = body.data.filter ? parseFilter(body.data.filter) : [];
    if (typeof clauses === 'string') return mlflowError(reply, 400, 'INVALID_PARAMETER_VALUE', `Invalid filter: ${clauses}`);
    const exps = body.data.experiment_ids;
    let found = runs.all().filter((r) => (!exps?.length || exps.includes(r.info.experiment_id)) && clauses.every((c) => matches(r, c)));
    const order = body.data.order_by?.[0];
    const m = order ? /^metrics\.`?([\w.]+)`?\s*(ASC|DESC)?$/i.exec(order) : null;
    if (m) {
      const key = m[1];
      const dir = (m[2] ?? 'ASC').toUpperCase() === 'DESC' ? -1 : 1;
      const val = (r: MlflowRun) => latestMetrics(r).find((x) => x.key === key)?.value ?? Number.NEGATIVE_INFINITY * dir;
      found.sort((a, b) => (val(a) - val(b)) * dir);
    } else found.sort((a, b) => b.info.start_time - a.info.start_time);
    found = found.slice(0, body.data.max_results ?? 1000);
    return { runs: found.map(view) };
  });

  app.get<{ Querystring: { run_id?: string; metric_key?: string } }>(`${MLFLOW_ROUTE}/metrics/get-history`, { config: { operation: 'Mlflow_MetricsGetHistory' } }, async (req, reply) => {
    const run = req.query.run_id ? runs.get(req.query.run_id) : undefined;
    if (!run) return mlflowError(reply, 404, 'RESOURCE_DOES_NOT_EXIST', `Run '${req.query.run_id ?? ''}' not found.`);
    return { metrics: run.data.metrics.filter((x) => x.key === req.query.metric_key) };
  });

  app.get<{ Querystring: { experiment_name?: string } }>(`${MLFLOW_ROUTE}/experiments/get-by-name`, { config: { operation: 'Mlflow_ExperimentsGetByName' } }, async (req, reply) => {
    const name = req.query.experiment_name;
    if (!name || !runs.all().some((r) => r.info.experiment_id === name)) return mlflowError(reply, 404, 'RESOURCE_DOES_NOT_EXIST', `Experiment '${name ?? ''}' not found.`);
    return { experiment: { experiment_id: name, name, lifecycle_stage: 'active', artifact_location: '' } };
  });
}

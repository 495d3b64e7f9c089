// MLflow's view of job runs: one run, a search in MLflow's filter language and ordering, metric history, experiments.
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { latestMetrics, type MlflowRun, type RunMetric } from '../jobs/runs';

const SearchBody = z.object({
  experiment_ids: z.array(z.string()).optional(),
  filter: z.string().optional(),
  max_results: z.number().int().positive().max(50_000).optional(),
  order_by: z.array(z.string()).optional(),
  page_token: z.string().optional(),
});

/** scope.key op value, e.g. tags.`mlflow.parentRunId` = 'x' or metrics.accuracy >= 0.9. */
const CLAUSE = new RegExp(
  '^(tags|tag|metrics|metric|params|param|attributes|attribute|attr)\\.(`[^`]+`|"[^"]+"|[\\w.]+)' +
    '\\s*(=|!=|>=|<=|>|<|LIKE|ILIKE)\\s*(.+)$',
  'i',
);

type Clause = { scope: 'tags' | 'metrics' | 'params' | 'attributes'; key: string; op: string; value: string | number };

/** A run as runs/get and runs/search answer it: only the latest value of each metric. */
const view = (run: MlflowRun) => ({ info: run.info, data: { ...run.data, metrics: latestMetrics(run) } });
export type RunView = ReturnType<typeof view>;

export function getRun(ctx: EmulatorContext, runId: string): RunView | undefined {
  const run = ctx.runs.get(runId);
  return run && view(run);
}

/** MLflow's filter language subset: clauses joined by AND, e.g. tags.mlflow.parentRunId = 'x' and metrics.auc > 0.9. */
export function parseFilter(filter: string): Clause[] | string {
  const clauses: Clause[] = [];
  const parts = filter
    .split(/\s+and\s+/i)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts) {
    const m = CLAUSE.exec(part);
    if (!m) return `Invalid clause '${part}'.`;
    const scope = m[1]
      .toLowerCase()
      .replace(/^attr$/, 'attributes')
      .replace(/^(tag|metric|param|attribute)$/, '$1s') as Clause['scope'];
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
  else actual = (run.info as unknown as Record<string, string | number | undefined>)[c.key];
  if (actual === undefined) return false;
  switch (c.op) {
    case '=':
      return String(actual) === String(c.value);
    case '!=':
      return String(actual) !== String(c.value);
    case '>':
      return Number(actual) > Number(c.value);
    case '>=':
      return Number(actual) >= Number(c.value);
    case '<':
      return Number(actual) < Number(c.value);
    case '<=':
      return Number(actual) <= Number(c.value);
    default: {
      // LIKE and ILIKE: % is any run of characters, _ any one character.
      const escaped = String(c.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = escaped.replace(/%/g, '.*').replace(/_/g, '.');
      return new RegExp(`^${pattern}$`, c.op === 'ILIKE' ? 'i' : '').test(String(actual));
    }
  }
}

/** runs/search: the matching runs, ordered by a metric or newest first; or why the request is invalid. */
export function searchRuns(ctx: EmulatorContext, body: unknown): { runs: RunView[] } | { invalid: string } {
  const parsed = SearchBody.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { invalid: `Invalid search request at '${issue?.path.join('.')}': ${issue?.message}` };
  }
  const request = parsed.data;
  const clauses = request.filter ? parseFilter(request.filter) : [];
  if (typeof clauses === 'string') return { invalid: `Invalid filter: ${clauses}` };
  const exps = request.experiment_ids;
  let found = ctx.runs
    .all()
    .filter((r) => (!exps?.length || exps.includes(r.info.experiment_id)) && clauses.every((c) => matches(r, c)));
  const order = request.order_by?.[0];
  const m = order ? /^metrics\.`?([\w.]+)`?\s*(ASC|DESC)?$/i.exec(order) : null;
  if (m) {
    const key = m[1];
    const dir = (m[2] ?? 'ASC').toUpperCase() === 'DESC' ? -1 : 1;
    const val = (r: MlflowRun) => latestMetrics(r).find((x) => x.key === key)?.value ?? Number.NEGATIVE_INFINITY * dir;
    found.sort((a, b) => (val(a) - val(b)) * dir);
  } else found.sort((a, b) => b.info.start_time - a.info.start_time);
  found = found.slice(0, request.max_results ?? 1000);
  return { runs: found.map(view) };
}

/** Every logged value of one metric of a run; undefined when there is no such run. */
export function metricHistory(ctx: EmulatorContext, runId: string, key: string | undefined): RunMetric[] | undefined {
  return ctx.runs.get(runId)?.data.metrics.filter((x) => x.key === key);
}

/** Experiments are named by the jobs' experimentName; one exists once a run is in it. */
export function experimentByName(ctx: EmulatorContext, name: string) {
  if (!ctx.runs.all().some((r) => r.info.experiment_id === name)) return undefined;
  return { experiment_id: name, name, lifecycle_stage: 'active', artifact_location: '' };
}

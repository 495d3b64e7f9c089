// MLflow runs of jobs: the parent run of a job and one child run per trial, with metrics, params and tags.
import type { Store } from '../store';

export interface RunMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface RunTag {
  key: string;
  value: string;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Stored in MLflow's own REST shape, so runs/get and runs/search answer it as is. */
export interface MlflowRun {
  info: {
    run_id: string;
    run_uuid: string;
    run_name: string;
    experiment_id: string;
    user_id: string;
    status: RunStatus;
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: 'active';
  };
  data: { metrics: RunMetric[]; params: { key: string; value: string }[]; tags: RunTag[] };
}

export class Runs {
  constructor(private readonly store: Store) {}

  get(runId: string): MlflowRun | undefined {
    return this.store.get<MlflowRun>('runs', runId);
  }

  put(run: MlflowRun): void {
    this.store.put('runs', run.info.run_id, run);
  }

  all(): MlflowRun[] {
    return this.store.list<MlflowRun>('runs');
  }

  create(
    runId: string,
    experimentId: string,
    opts: { parent?: string; tags?: Record<string, string>; params?: Record<string, string>; status?: RunStatus } = {},
  ): MlflowRun {
    const tags: RunTag[] = Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value }));
    if (opts.parent)
      tags.push({ key: 'mlflow.parentRunId', value: opts.parent }, { key: 'mlflow.rootRunId', value: opts.parent });
    tags.push({ key: 'mlflow.runName', value: runId });
    const run: MlflowRun = {
      info: {
        run_id: runId,
        run_uuid: runId,
        run_name: runId,
        experiment_id: experimentId,
        user_id: 'local-user',
        status: opts.status ?? 'RUNNING',
        start_time: Date.now(),
        artifact_uri: `azureml://jobs/${runId}/outputs/artifacts`,
        lifecycle_stage: 'active',
      },
      data: { metrics: [], params: Object.entries(opts.params ?? {}).map(([key, value]) => ({ key, value })), tags },
    };
    this.put(run);
    return run;
  }

  update(
    runId: string,
    patch: { status?: RunStatus; end?: boolean; metrics?: Record<string, number>; tags?: Record<string, string> },
  ): void {
    const run = this.get(runId);
    if (!run) return;
    const now = Date.now();
    if (patch.status) run.info.status = patch.status;
    if (patch.end) run.info.end_time = now;
    for (const [key, value] of Object.entries(patch.metrics ?? {})) {
      if (Number.isFinite(value)) run.data.metrics.push({ key, value, timestamp: now, step: 0 });
    }
    for (const [key, value] of Object.entries(patch.tags ?? {})) {
      run.data.tags = run.data.tags.filter((t) => t.key !== key).concat({ key, value });
    }
    this.put(run);
  }
}

/** MLflow reports the latest value per metric key in runs/get. */
export function latestMetrics(run: MlflowRun): RunMetric[] {
  const latest = new Map<string, RunMetric>();
  for (const m of run.data.metrics) latest.set(m.key, m);
  return [...latest.values()];
}

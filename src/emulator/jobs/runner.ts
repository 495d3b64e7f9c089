// The job lifecycle: NotStarted -> Queued (waiting for cluster slots) -> Running (engine) -> Completed/Failed/Canceled.
import type { ArmResource } from '../ids';
import { join } from 'node:path';
import { DatasetError, type AutoMLResult, type TrialResult } from '../../automl';
import type { Store } from '../store';
import type { Pools } from '../compute/pool';
import type { WorkspaceBlobs } from '../storage/blobs';
import { AzureError } from '../errors';
import { TrainingInputError, type TrainingEngine } from './engine';
import { toSettings, computeNameOf, type AutoMLJobProperties } from './spec';
import type { Runs } from './runs';
import { readTrainingData } from './training-data';

export type JobStatus =
  'NotStarted' | 'Queued' | 'Running' | 'Finalizing' | 'CancelRequested' | 'Completed' | 'Failed' | 'Canceled';
export const TERMINAL: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Canceled']);

export interface JobError {
  code: string;
  message: string;
}

export interface StoredJob extends ArmResource {
  properties: AutoMLJobProperties & {
    status: JobStatus;
    services: Record<string, { jobServiceType: string; endpoint: string }>;
    outputs: Record<string, unknown>;
    properties: Record<string, string>;
    experimentName: string;
  };
  /** Not in the 2022-10-01 model (the SDK drops it); raw-response readers and the MLflow run see it too. */
  error?: JobError;
}

export interface JobRunnerDeps {
  store: Store;
  runs: Runs;
  blobs: WorkspaceBlobs;
  pools: Pools;
  engine: TrainingEngine;
  /** Jobs' working directories live under here. */
  workRoot: string;
  /** Where to find a data asset's URI and type from a job input reference. */
  resolveInput(uri: string, jobInputType: string): { uri: string; type: 'mltable' | 'uri_file' };
}

export class JobRunner {
  private readonly running = new Map<string, AbortController>();
  private readonly done = new Map<string, Promise<void>>();

  constructor(private readonly deps: JobRunnerDeps) {}

  get(name: string): StoredJob | undefined {
    return this.deps.store.get<StoredJob>('jobs', name);
  }

  /** Jobs that were not finished when the workspace stopped cannot be resumed mid-trial: they fail, saying why. */
  recover(): void {
    for (const job of this.deps.store.list<StoredJob>('jobs')) {
      if (TERMINAL.has(job.properties.status)) continue;
      const was = job.properties.status;
      if (was === 'CancelRequested') {
        this.finish(job.name, 'Canceled');
        continue;
      }
      this.finish(job.name, 'Failed', {
        code: 'JobInterrupted',
        message: `The local workspace stopped while job '${job.name}' was ${was}; submit the job again.`,
      });
    }
  }

  /** Starts the lifecycle of a stored NotStarted job in the background. */
  start(name: string): void {
    const ac = new AbortController();
    this.running.set(name.toLowerCase(), ac);
    // Deferred a tick, so the PUT's answer shows the job NotStarted, as Azure does.
    const p = new Promise<void>((r) => setImmediate(r))
      .then(() => this.run(name, ac.signal))
      .finally(() => this.running.delete(name.toLowerCase()));
    this.done.set(name.toLowerCase(), p);
  }

  cancel(name: string): void {
    const job = this.get(name);
    if (!job || TERMINAL.has(job.properties.status)) return;
    this.setStatus(name, 'CancelRequested');
    const ac = this.running.get(name.toLowerCase());
    if (ac) ac.abort();
    else this.finish(name, 'Canceled');
  }

  /** Waits for a job's lifecycle to end (tests, shutdown). */
  async settled(name: string): Promise<void> {
    await this.done.get(name.toLowerCase());
  }

  /** Shutdown: running jobs are marked Failed now rather than left for recovery. */
  async stopAll(): Promise<void> {
    for (const [name, ac] of this.running) {
      ac.abort();
      this.finish(name, 'Failed', {
        code: 'JobInterrupted',
        message: `The local workspace stopped while job '${name}' was running; submit the job again.`,
      });
    }
    await Promise.allSettled([...this.done.values()]);
  }

  private async run(name: string, signal: AbortSignal): Promise<void> {
    const job = this.get(name);
    if (!job) return;
    const p = job.properties;
    const { runs } = this.deps;
    runs.create(job.name, p.experimentName, {
      tags: { 'mlflow.source.type': 'JOB', automl_task: 'classification' },
      status: 'SCHEDULED',
    });
    let release: (() => void) | undefined;
    try {
      const pool = this.deps.pools.get(computeNameOf(p.computeId));
      if (!pool) {
        const message = `Compute '${computeNameOf(p.computeId)}' does not exist or is not provisioned.`;
        throw new AzureError(400, 'ComputeNotFound', message);
      }
      const wanted = p.taskDetails.limitSettings?.maxConcurrentTrials ?? 1;
      this.setStatus(name, 'Queued');
      release = await pool.acquire(wanted, signal);
      const slots = Math.min(wanted, pool.state.settings.maxNodeCount);
      if (signal.aborted) throw new Error('canceled');
      this.setStatus(name, 'Running', { 'azureml.slots': String(slots) });
      runs.update(job.name, { status: 'RUNNING' });

      const input = this.deps.resolveInput(p.taskDetails.trainingData.uri, p.taskDetails.trainingData.jobInputType);
      const data = await readTrainingData(this.deps.blobs, input, p.taskDetails.trainingData.uri);
      if (signal.aborted) throw new Error('canceled');
      const settings = toSettings(p, slots);
      runs.update(job.name, { tags: { primary_metric: settings.primaryMetric ?? 'accuracy' } });
      const seen = new Set<number>();
      const result = await this.deps.engine.train(
        { data, settings, workDir: join(this.deps.workRoot, job.name) },
        {
          onTrial: (trial, progress) => {
            this.recordTrial(job, trial);
            seen.add(trial.trialId);
            this.setProps(name, {
              'azureml.trialsDone': String(progress.trialsDone),
              ...(progress.bestMetric !== undefined ? { 'azureml.bestMetric': String(progress.bestMetric) } : {}),
            });
          },
        },
        signal,
      );
      if (signal.aborted) throw new Error('canceled');
      this.setStatus(name, 'Finalizing');
      for (const t of result.leaderboard) if (!seen.has(t.trialId)) this.recordTrial(job, t);
      await this.writeOutputs(job, result);
      this.finish(name, 'Completed');
    } catch (err) {
      if (signal.aborted) {
        const current = this.get(name);
        // stopAll() already failed the job with the shutdown reason; a user cancel ends Canceled.
        if (current && !TERMINAL.has(current.properties.status)) this.finish(name, 'Canceled');
        return;
      }
      this.finish(name, 'Failed', toJobError(err));
    } finally {
      release?.();
    }
  }

  private recordTrial(job: StoredJob, trial: TrialResult): void {
    const childId = `${job.name}_${trial.trialId}`;
    const { runs } = this.deps;
    if (!runs.get(childId)) {
      runs.create(childId, job.properties.experimentName, {
        parent: job.name,
        tags: {
          run_algorithm: trial.algorithm,
          'mlflow.source.type': 'JOB',
          ...(trial.error ? { error: trial.error } : {}),
        },
        params: Object.fromEntries(Object.entries(trial.hyperparameters).map(([k, v]) => [k, String(v)])),
      });
    }
    runs.update(childId, {
      status: trial.status === 'Completed' ? 'FINISHED' : trial.status === 'Canceled' ? 'KILLED' : 'FAILED',
      end: true,
      metrics: { ...trial.metrics, train_seconds: trial.trainSeconds },
    });
  }

  /** The best model goes where Azure keeps run outputs: on the best child and (as best_model) on the parent. */
  private async writeOutputs(job: StoredJob, result: AutoMLResult): Promise<void> {
    const { blobs, runs } = this.deps;
    const bestChild = `${job.name}_${result.best.trialId}`;
    const model = JSON.stringify(result.artifact);
    const mlmodel = [
      'artifact_path: outputs/mlflow-model',
      'flavors:',
      '  amlops:',
      `    algorithm: ${result.artifact.algorithm}`,
      '    data: model.json',
      '    format: amlops-model',
      `run_id: ${bestChild}`,
      '',
    ].join('\n');
    for (const run of [bestChild, job.name]) {
      await blobs.writeText(blobs.runArtifact(run, 'outputs/model.json'), model);
      await blobs.writeText(blobs.runArtifact(run, 'outputs/mlflow-model/model.json'), model);
      await blobs.writeText(blobs.runArtifact(run, 'outputs/mlflow-model/MLmodel'), mlmodel, 'text/yaml');
    }
    const summary = {
      primaryMetric: result.primaryMetric,
      validation: result.validation,
      guardrails: result.guardrails,
      leaderboard: result.leaderboard,
      explanation: result.explanation,
    };
    await blobs.writeText(blobs.runArtifact(job.name, 'outputs/automl_summary.json'), JSON.stringify(summary));
    const bestMetric = result.best.metrics[result.primaryMetric];
    runs.update(job.name, {
      tags: {
        automl_best_child_run_id: bestChild,
        best_algorithm: result.best.algorithm,
        best_score: String(bestMetric),
      },
      metrics: { ...result.best.metrics },
    });
    const current = this.get(job.name);
    if (current) {
      current.properties.outputs = {
        ...current.properties.outputs,
        best_model: {
          jobOutputType: 'mlflow_model',
          mode: 'ReadWriteMount',
          uri: `azureml://jobs/${job.name}/outputs/artifacts/outputs/mlflow-model`,
          description: `Best model: ${result.best.algorithm} (${bestChild})`,
        },
      };
      current.properties.properties = {
        ...current.properties.properties,
        automl_best_child_run_id: bestChild,
        score: String(bestMetric),
        run_algorithm: result.best.algorithm,
      };
      this.deps.store.put('jobs', job.name, current);
    }
  }

  private setStatus(name: string, status: JobStatus, props: Record<string, string> = {}): void {
    const job = this.get(name);
    if (!job || TERMINAL.has(job.properties.status)) return;
    if (job.properties.status === 'CancelRequested' && status !== 'Canceled') return;
    job.properties.status = status;
    job.properties.properties = { ...job.properties.properties, ...props };
    if (status === 'Running') job.properties.properties['azureml.startTime'] = new Date().toISOString();
    job.systemData.lastModifiedAt = new Date().toISOString();
    this.deps.store.put('jobs', name, job);
  }

  private setProps(name: string, props: Record<string, string>): void {
    const job = this.get(name);
    if (!job) return;
    job.properties.properties = { ...job.properties.properties, ...props };
    this.deps.store.put('jobs', name, job);
  }

  private finish(name: string, status: 'Completed' | 'Failed' | 'Canceled', error?: JobError): void {
    const job = this.get(name);
    if (!job || TERMINAL.has(job.properties.status)) return;
    job.properties.status = status;
    job.properties.properties = {
      ...job.properties.properties,
      'azureml.endTime': new Date().toISOString(),
      ...(error ? { 'azureml.error.code': error.code, 'azureml.error.message': error.message } : {}),
    };
    if (error) job.error = error;
    job.systemData.lastModifiedAt = new Date().toISOString();
    this.deps.store.put('jobs', name, job);
    this.deps.runs.update(job.name, {
      status: status === 'Completed' ? 'FINISHED' : status === 'Canceled' ? 'KILLED' : 'FAILED',
      end: true,
      ...(error ? { tags: { 'mlflow.runFailureReason': error.message, error_code: error.code } } : {}),
    });
  }
}

function toJobError(err: unknown): JobError {
  // Bad data or settings (the engine's DatasetError, a custom engine's TrainingInputError) and Azure errors keep
  // their code.
  if (err instanceof DatasetError || err instanceof TrainingInputError || err instanceof AzureError) {
    return { code: err.code, message: err.message };
  }
  return { code: 'SystemError', message: `Training failed: ${(err as Error)?.message ?? String(err)}` };
}

// registerModel: registers the best trial's model as version <cycle>, with lineage tags (dataset, job, metrics).
import { ApplicationFailure } from '@temporalio/common';
import { call, lookup, runMetrics } from '../azureml';
import type { ModelRef, RegisterModelInput } from '../contract';
import type { ActivityDeps } from './deps';

const TOP_FEATURES = 5;

/** "duration:0.1234,nr.employed:0.0456" — a tag value, so it travels with the model version. */
const featuresOf = (tag: string | null | undefined) =>
  (tag ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.lastIndexOf(':');
      return { column: pair.slice(0, at), importance: Number(pair.slice(at + 1)) };
    });

/**
 * The experiment's explanation from its summary artifact, where the job leaves it; absent on engines that write none.
 */
async function explanationOf(client: ActivityDeps['client'], jobName: string): Promise<string | undefined> {
  try {
    const { client: container } = await client.datastoreContainer();
    const blob = container.getBlockBlobClient(`azureml/ExperimentRun/dcid.${jobName}/outputs/automl_summary.json`);
    const summary = JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as {
      explanation?: { column: string; importance: number }[];
    };
    return (summary.explanation ?? [])
      .slice(0, TOP_FEATURES)
      .map((f) => `${f.column}:${f.importance.toFixed(4)}`)
      .join(',');
  } catch {
    return undefined;
  }
}

const metricsOf = (tags: Record<string, string | null> | undefined) =>
  Object.fromEntries(
    Object.entries(tags ?? {})
      .filter(([k]) => k.startsWith('metric.'))
      .map(([k, v]) => [k.slice(7), Number(v)]),
  );

export const registerModel = ({ client }: ActivityDeps) =>
  async function registerModel(input: RegisterModelInput): Promise<ModelRef> {
    const { modelName, primaryMetric } = input;
    const version = String(input.cycle);
    const toRef = (tags: Record<string, string | null> | undefined): ModelRef => {
      const metrics = metricsOf(tags);
      const topFeatures = featuresOf(tags?.explanation);
      return {
        name: modelName,
        version,
        primaryMetric,
        metricValue: metrics[primaryMetric],
        metrics,
        ...(topFeatures.length ? { topFeatures } : {}),
      };
    };
    const existing = await lookup(`read model ${modelName}:${version}`, () =>
      client.arm.modelVersions.get(client.rg, client.ws, modelName, version),
    );
    if (existing) return toRef(existing.properties.tags);

    const best = await client.mlflowRun(input.bestChildRunId);
    const metrics = runMetrics(best);
    if (typeof metrics[primaryMetric] !== 'number') {
      throw ApplicationFailure.create({
        type: 'NoMetric',
        nonRetryable: true,
        message:
          `The best trial ${input.bestChildRunId} of job ${input.jobName} has no ${primaryMetric} metric;` +
          ` the job's primary metric and the project's must match.`,
      });
    }
    const explanation = await explanationOf(client, input.jobName);
    const tags: Record<string, string> = {
      ...(explanation ? { explanation } : {}),
      project: input.project,
      cycle: version,
      job: input.jobName,
      bestChildRun: input.bestChildRunId,
      dataset: `${input.dataset.name}:${input.dataset.version}`,
      primaryMetric,
      ...Object.fromEntries(Object.entries(metrics).map(([k, v]) => [`metric.${k}`, String(v)])),
    };
    await call(`register model ${modelName}:${version}`, () =>
      client.arm.modelVersions.createOrUpdate(client.rg, client.ws, modelName, version, {
        properties: {
          modelType: 'mlflow_model',
          modelUri: `azureml://jobs/${input.bestChildRunId}/outputs/artifacts/outputs/mlflow-model`,
          description:
            `Best model of AutoML job ${input.jobName}` + ` (${primaryMetric} ${metrics[primaryMetric].toFixed(4)})`,
          tags,
          properties: { amlopsProject: input.project },
        },
      }),
    );
    return toRef(tags);
  };

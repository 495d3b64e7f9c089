// What a deployment serves, read back from the workspace: its model's input columns and classes (the model
// artifact), and the columns its scoring server lets rows leave out (its environment variables).
import { ApplicationFailure } from '@temporalio/common';
import type { ModelArtifact } from '../automl';
import { call, type AzureMLClient } from '../azureml';
import { OPTIONAL_COLUMNS_VARIABLE } from '../contract';
import type { ModelInputs } from '../monitoring';

export interface DeployedModel extends ModelInputs {
  /** name:version of the registered model. */
  model: string;
  optionalColumns: string[];
}

const invalid = (message: string) =>
  ApplicationFailure.create({ type: 'InvalidModelArtifact', nonRetryable: true, message });

/**
 * The blob of a model's artifact in the default datastore. Models registered from a job's output
 * (azureml://jobs/{run}/outputs/artifacts/{path}, what registerModel registers) live where Azure keeps run
 * artifacts, azureml/ExperimentRun/dcid.{run}/{path}; a datastore path names its blob directly.
 */
function artifactPath(modelUri: string, datastore: string): string | undefined {
  const job = /^azureml:\/\/jobs\/([^/]+)\/outputs\/artifacts\/(.+?)\/?$/i.exec(modelUri);
  const ds = new RegExp(`^azureml://(?:.*/)?datastores/${datastore}/paths/(.+?)/?$`, 'i').exec(modelUri);
  const folder = job ? `azureml/ExperimentRun/dcid.${job[1]}/${decodeURIComponent(job[2]!)}` : ds?.[1];
  if (!folder) return undefined;
  return /\.json$/i.test(folder) ? folder : `${folder}/model.json`;
}

/** The model's artifact (an amlops model's model.json): its input schema and classes are what is compared. */
async function readArtifact(client: AzureMLClient, name: string, version: string): Promise<ModelArtifact> {
  const registered = await call(`read model ${name}:${version}`, () =>
    client.arm.modelVersions.get(client.rg, client.ws, name, version),
  );
  const uri = registered.properties.modelUri ?? '';
  const { client: container, datastore } = await client.datastoreContainer();
  const path = artifactPath(uri, datastore);
  if (!path) {
    throw invalid(
      `Model ${name}:${version} is at ${uri || '(no modelUri)'}, not a job output or a path of datastore ${datastore};` +
        ' its input schema cannot be read to check compatibility.',
    );
  }
  const bytes = await call(`download the artifact of model ${name}:${version} (${path})`, () =>
    container.getBlobClient(path).downloadToBuffer(),
  );
  let artifact: Partial<ModelArtifact>;
  try {
    artifact = JSON.parse(bytes.toString('utf8')) as Partial<ModelArtifact>;
  } catch {
    throw invalid(`The artifact of model ${name}:${version} (${path}) is not JSON.`);
  }
  if (!Array.isArray(artifact.inputSchema) || !Array.isArray(artifact.classes)) {
    throw invalid(`The artifact of model ${name}:${version} (${path}) has no inputSchema and classes.`);
  }
  return artifact as ModelArtifact;
}

/** The optional columns a deployment was given (comma-separated, as the scoring server reads them). */
export function optionalColumnsOf(variables: Record<string, string | null> | undefined): string[] {
  return (variables?.[OPTIONAL_COLUMNS_VARIABLE] ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
}

export async function deployedModel(
  client: AzureMLClient,
  endpointName: string,
  deploymentName: string,
): Promise<DeployedModel> {
  const deployment = await call(`read deployment ${endpointName}/${deploymentName}`, () =>
    client.arm.onlineDeployments.get(client.rg, client.ws, endpointName, deploymentName),
  );
  const modelId = deployment.properties.model ?? '';
  const ref = /\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(modelId) ?? /^azureml:([^:]+):(.+)$/.exec(modelId);
  if (!ref) throw invalid(`Deployment ${endpointName}/${deploymentName} names no registered model (${modelId}).`);
  const [name, version] = [ref[1]!, ref[2]!];
  const artifact = await readArtifact(client, name, version);
  const optionalColumns = optionalColumnsOf(deployment.properties.environmentVariables);
  const optional = new Set(optionalColumns);
  return {
    model: `${name}:${version}`,
    columns: artifact.inputSchema.map((c) => ({ name: c.name, type: c.type, required: !optional.has(c.name) })),
    classes: artifact.classes,
    optionalColumns: optionalColumns.filter((c) => artifact.inputSchema.some((s) => s.name === c)),
  };
}

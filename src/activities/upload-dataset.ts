// uploadDataset: checks the CSV, holds out the cycle's test slice, uploads both parts as data versions named by hash.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { DatasetError, formatCsv, inferDataset, parseCsv, type Table } from '../automl';
import { call, lookup, type AzureMLClient } from '../azureml';
import type { DatasetRef, TestSliceRef, UploadDatasetInput, UploadedDataset } from '../contract';
import type { ActivityDeps } from './deps';
import { holdOutTestSlice } from './test-slice';

const MLTABLE = `paths:
  - file: ./data.csv
transformations:
  - read_delimited:
      delimiter: ','
      encoding: utf8
      header: all_files_same_headers
`;

function badData(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidDataset', nonRetryable: true, message });
}

async function readBytes(uri: string): Promise<Buffer> {
  if (/^https?:\/\//i.test(uri)) {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      // The network may come back: retryable.
      const message = `Could not download ${uri}: ${(err as Error).message}`;
      throw ApplicationFailure.create({ type: 'DatasetUnreachable', message });
    }
    if (!response.ok) throw badData(`Could not download ${uri}: HTTP ${response.status}. Check the URL.`);
    return Buffer.from(await response.arrayBuffer());
  }
  const path = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      const fix = 'Check the path given to --dataset / --data.';
      throw badData(`The dataset ${path} does not exist (or is not a file). ${fix}`);
    }
    throw err;
  }
}

/** Runs the engine's own checks, so a file that would fail training fails here, before anything is created. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof DatasetError) throw badData(err.message);
    throw err;
  }
}

const contentHash = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

interface DataVersionSpec {
  name: string;
  /** The version's files go into <folder>/<version>/ of the default datastore. */
  folder: string;
  /** Hashed into the version. */
  content: Buffer;
  files: { file: string; bytes: Buffer; type: string }[];
  /** Azure's data type, and the file (or '' for the folder) its dataUri points at. */
  dataType: 'mltable' | 'uri_file';
  dataPath: string;
  description: string;
  tags: Record<string, string>;
}

/**
 * Uploads the files and registers them as data version <name>:<version>, unless that version exists: the version is
 * the hash of the content, so a retried step, or an unchanged file in a later cycle, finds it and stops there.
 */
async function registerOnce(client: AzureMLClient, spec: DataVersionSpec): Promise<DatasetRef> {
  const { name } = spec;
  const version = contentHash(spec.content);
  const ref = { name, version, uri: `azureml:${name}:${version}` };
  const read = () => client.arm.dataVersions.get(client.rg, client.ws, name, version);
  if (await lookup(`read data ${name}:${version}`, read)) return ref;

  const { client: container, datastore } = await client.datastoreContainer();
  const folder = `${spec.folder}/${version}`;
  await call(`upload ${folder}/${spec.files[0].file}`, async () => {
    await container.createIfNotExists();
    for (const f of spec.files) {
      const blob = container.getBlockBlobClient(`${folder}/${f.file}`);
      await blob.uploadData(f.bytes, { blobHTTPHeaders: { blobContentType: f.type } });
    }
  });
  const properties = {
    dataType: spec.dataType,
    dataUri: `azureml://datastores/${datastore}/paths/${folder}/${spec.dataPath}`,
    description: spec.description,
    tags: spec.tags,
  };
  await call(`register data ${name}:${version}`, () =>
    client.arm.dataVersions.createOrUpdate(client.rg, client.ws, name, version, { properties }),
  );
  return ref;
}

/** The training data as an MLTable folder (the CSV and its MLTable file): the input an AutoML job takes. */
function uploadTraining(client: AzureMLClient, input: UploadDatasetInput, csv: Buffer): Promise<DatasetRef> {
  const { project, target, datasetUri } = input;
  const source = basename(datasetUri);
  return registerOnce(client, {
    name: `${project}-data`,
    folder: `datasets/${project}`,
    content: csv,
    files: [
      { file: 'data.csv', bytes: csv, type: 'text/csv' },
      { file: 'MLTable', bytes: Buffer.from(MLTABLE), type: 'text/yaml' },
    ],
    dataType: 'mltable',
    dataPath: '',
    description: `${source} (target column ${target}), uploaded by amlops`,
    tags: { project, target, source },
  });
}

/** The test slice as one CSV file (uri_file), outside the MLTable folder the AutoML job reads. */
async function uploadTestSlice(client: AzureMLClient, input: UploadDatasetInput, test: Table): Promise<TestSliceRef> {
  const { project, target, datasetUri } = input;
  const source = basename(datasetUri);
  const csv = Buffer.from(formatCsv(test));
  const rows = test.nRows;
  const ref = await registerOnce(client, {
    name: `${project}-test`,
    // Beside the training versions: "test" is never a 16-digit hash.
    folder: `datasets/${project}/test`,
    content: csv,
    files: [{ file: 'test.csv', bytes: csv, type: 'text/csv' }],
    dataType: 'uri_file',
    dataPath: 'test.csv',
    description: `${rows} rows of ${source} held out of AutoML to compare the challenger with the champion`,
    tags: { project, target, source, rows: String(rows) },
  });
  return { ...ref, rows };
}

export const uploadDataset = ({ client }: ActivityDeps) =>
  async function uploadDataset(input: UploadDatasetInput): Promise<UploadedDataset> {
    const { project, cycle, datasetUri, target } = input;
    const azureml = /^azureml:([^:/]+):([^:/]+)$/.exec(datasetUri);
    // A registered asset is used as it is: no test slice is cut from it.
    if (azureml) return { name: azureml[1], version: azureml[2], uri: datasetUri };

    const bytes = await readBytes(datasetUri);
    const table = checked(() => parseCsv(bytes, `The dataset ${basename(datasetUri)}`));
    checked(() => inferDataset(table, target));
    if (cycle === undefined) return uploadTraining(client, input, bytes);

    const { training, test } = checked(() => {
      const split = holdOutTestSlice(table, target, project, input.testShare);
      inferDataset(split.training, target);
      return split;
    });
    const dataset = await uploadTraining(client, input, Buffer.from(formatCsv(training)));
    return { ...dataset, testSlice: await uploadTestSlice(client, input, test) };
  };

// uploadDataset: checks the CSV, uploads it with an MLTable to the default datastore, registers a data version named by
// its hash.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { DatasetError, inferDataset, parseCsv } from '../automl';
import { call, lookup } from '../azureml';
import type { DatasetRef, UploadDatasetInput } from '../contract';
import type { ActivityDeps } from './deps';

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
      throw ApplicationFailure.create({
        type: 'DatasetUnreachable',
        message: `Could not download ${uri}: ${(err as Error).message}`,
      });
    }
    if (!response.ok) throw badData(`Could not download ${uri}: HTTP ${response.status}. Check the URL.`);
    return Buffer.from(await response.arrayBuffer());
  }
  const path = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR')
      throw badData(
        `The dataset ${path} does not exist (or is not a file). Check the path given to --dataset / --data.`,
      );
    throw err;
  }
}

export const uploadDataset = ({ client }: ActivityDeps) =>
  async function uploadDataset(input: UploadDatasetInput): Promise<DatasetRef> {
    const { project, datasetUri, target } = input;
    const azureml = /^azureml:([^:/]+):([^:/]+)$/.exec(datasetUri);
    if (azureml) return { name: azureml[1], version: azureml[2], uri: datasetUri };

    const bytes = await readBytes(datasetUri);
    try {
      // The engine's own checks: a file that would fail training fails here, before anything is created.
      inferDataset(parseCsv(bytes, `The dataset ${basename(datasetUri)}`), target);
    } catch (err) {
      if (err instanceof DatasetError) throw badData(err.message);
      throw err;
    }

    const name = `${project}-data`;
    const version = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const ref = { name, version, uri: `azureml:${name}:${version}` };
    const existing = await lookup(`read data ${name}:${version}`, () =>
      client.arm.dataVersions.get(client.rg, client.ws, name, version),
    );
    if (existing) return ref;

    const { client: container, datastore } = await client.datastoreContainer();
    const folder = `datasets/${project}/${version}`;
    await call(`upload ${folder}/data.csv`, async () => {
      await container.createIfNotExists();
      await container
        .getBlockBlobClient(`${folder}/data.csv`)
        .uploadData(bytes, { blobHTTPHeaders: { blobContentType: 'text/csv' } });
      await container
        .getBlockBlobClient(`${folder}/MLTable`)
        .uploadData(Buffer.from(MLTABLE), { blobHTTPHeaders: { blobContentType: 'text/yaml' } });
    });
    await call(`register data ${name}:${version}`, () =>
      client.arm.dataVersions.createOrUpdate(client.rg, client.ws, name, version, {
        properties: {
          dataType: 'mltable',
          dataUri: `azureml://datastores/${datastore}/paths/${folder}/`,
          description: `${basename(datasetUri)} (target column ${target}), uploaded by amlops`,
          tags: { project, target, source: basename(datasetUri) },
        },
      }),
    );
    return ref;
  };

// The cycle's test slice as request rows: read from its data asset, the label left out, each deployment's columns.
import { ApplicationFailure } from '@temporalio/common';
import { parseCsv, tableRows, type RawRow, type Table } from '../automl';
import { call, type AzureMLClient } from '../azureml';
import type { TestSliceRef } from '../contract';
import { deployedModel } from './deployed-model';

export type TestSliceName = Pick<TestSliceRef, 'name' | 'version'>;

/**
 * Slices already read, by name:version. A version is the hash of its content, so it never changes: the rollout's
 * live check, which runs every few seconds on the same slice, downloads and parses it once per worker.
 */
const readSlices = new Map<string, Promise<Table>>();
const SLICES_KEPT = 4;

/** The test slice's CSV, read from the data asset's file on the default datastore (where uploadDataset put it). */
export function readTestSlice(client: AzureMLClient, slice: TestSliceName): Promise<Table> {
  const key = `${slice.name}:${slice.version}`;
  let table = readSlices.get(key);
  if (!table) {
    table = downloadTestSlice(client, slice);
    // A failed read is not kept: the next call tries again.
    table.catch(() => readSlices.delete(key));
    readSlices.set(key, table);
    if (readSlices.size > SLICES_KEPT) readSlices.delete(readSlices.keys().next().value as string);
  }
  return table;
}

async function downloadTestSlice(client: AzureMLClient, slice: TestSliceName): Promise<Table> {
  const { name, version } = slice;
  const asset = await call(`read data ${name}:${version}`, () =>
    client.arm.dataVersions.get(client.rg, client.ws, name, version),
  );
  const uri = asset.properties.dataUri;
  const { client: container, datastore } = await client.datastoreContainer();
  const path = new RegExp(`^azureml://datastores/${datastore}/paths/(.+)$`).exec(uri)?.[1];
  if (!path) {
    const message = `The test slice ${name}:${version} is at ${uri}, not a file of the default datastore ${datastore}.`;
    throw ApplicationFailure.create({ type: 'InvalidTestSlice', nonRetryable: true, message });
  }
  const bytes = await call(`download the test slice ${path}`, () => container.getBlobClient(path).downloadToBuffer());
  return parseCsv(bytes, `The test slice ${name}:${version}`);
}

/** The slice's rows and their labels, the label out of the rows (a client would not send it). */
export function labelledRows(slice: Table, target: string, ref: TestSliceName): { rows: RawRow[]; labels: string[] } {
  if (!slice.columns.includes(target)) {
    const message = `The test slice ${ref.name}:${ref.version} has no column "${target}".`;
    throw ApplicationFailure.create({ type: 'InvalidTestSlice', nonRetryable: true, message });
  }
  const all = tableRows(slice);
  return {
    rows: all.map(({ [target]: _label, ...features }) => features),
    labels: all.map((r) => String(r[target])),
  };
}

/**
 * At most `max` rows spread evenly over the slice (first, then every len/max-th): the slice keeps the dataset's
 * order, which may be by time or by class, so its first rows alone could all be alike.
 */
export function spreadSample<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  return Array.from({ length: max }, (_, i) => rows[Math.floor((i * rows.length) / max)] as T);
}

/**
 * The rows with only the columns the deployment's model takes: the new data may carry a column the champion never
 * saw (the compatibility gate allowed it as optional, or it is unused), and a scoring server refuses unknown columns.
 * A model whose input schema cannot be read (not an amlops artifact) gets every column.
 */
export async function ownColumns(
  client: AzureMLClient,
  endpointName: string,
  deploymentName: string,
  rows: RawRow[],
): Promise<RawRow[]> {
  let known: Set<string>;
  try {
    known = new Set((await deployedModel(client, endpointName, deploymentName)).columns.map((c) => c.name));
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'InvalidModelArtifact') return rows;
    throw err;
  }
  if (rows.every((r) => Object.keys(r).every((c) => known.has(c)))) return rows;
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([c]) => known.has(c))));
}

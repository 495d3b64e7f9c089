// Fair evaluation against the local workspace: uploadDataset holds out the test slice, evaluateModels scores it
// through the challenger's and the champion's deployments (real scoring processes, routed by header).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  loadModel,
  metricValue,
  parseCsv,
  tableRows,
  type ModelArtifact,
  type RawRow,
  type Table,
} from '../../src/automl';
import type { ActivityDeps } from '../../src/activities';
import { evaluateModels } from '../../src/activities/evaluate-models';
import { uploadDataset } from '../../src/activities/upload-dataset';
import { asJsonRow, BANK_CSV, trainBankModel } from '../unit/serving/bank-model';
import { activityDeps, deployArtifact, startTestWorkspace, type TestWorkspace } from './helpers';

const PROJECT = 'fair';
const ENDPOINT = 'fair-ep';
let t: TestWorkspace;
let deps: ActivityDeps;
let datasetUri: string;

beforeAll(async () => {
  t = await startTestWorkspace();
  deps = activityDeps(t);
  // The last 6,000 rows of the demo data (rows the models below were not trained on): a slice of two batches.
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  datasetUri = join(mkdtempSync(join(tmpdir(), 'amlops-fair-')), 'bank.csv');
  writeFileSync(datasetUri, `${[lines[0], ...lines.slice(-6000)].join('\n')}\n`);
});
afterAll(async () => {
  await t?.dispose();
});

async function blobTable(dataUri: string): Promise<Table> {
  const path = dataUri.replace(/^azureml:\/\/datastores\/[^/]+\/paths\//, '');
  return parseCsv(await t.container.getBlobClient(path).downloadToBuffer());
}
const lineSet = (rows: RawRow[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('uploadDataset with a cycle', () => {
  it('registers the training MLTable and the test slice apart: disjoint, whole together, 20% held out', async () => {
    const upload = uploadDataset(deps);
    const ref = await upload({ project: PROJECT, cycle: 2, datasetUri, target: 'y' });
    expect(ref).toMatchObject({ name: `${PROJECT}-data`, uri: `azureml:${PROJECT}-data:${ref.version}` });
    const sliceUri = `azureml:${PROJECT}-test:${ref.testSlice!.version}`;
    expect(ref.testSlice).toMatchObject({ name: `${PROJECT}-test`, uri: sliceUri });

    const arm = deps.client.arm.dataVersions;
    const training = await arm.get(t.rg, t.name, ref.name, ref.version);
    const test = await arm.get(t.rg, t.name, ref.testSlice!.name, ref.testSlice!.version);
    expect(training.properties).toMatchObject({ dataType: 'mltable' });
    expect(test.properties).toMatchObject({ dataType: 'uri_file', dataUri: expect.stringMatching(/test\.csv$/) });
    const trainRows = tableRows(await blobTable(`${training.properties.dataUri}data.csv`));
    const testRows = tableRows(await blobTable(test.properties.dataUri));
    const all = tableRows(parseCsv(readFileSync(datasetUri)));
    expect(testRows).toHaveLength(ref.testSlice!.rows);
    expect(testRows.length).toBeCloseTo(all.length * 0.2, -1);
    expect(lineSet([...trainRows, ...testRows])).toEqual(lineSet(all));
    const yes = (rows: RawRow[]) => rows.filter((r) => r.y === 'yes').length / rows.length;
    expect(Math.abs(yes(testRows) - yes(all))).toBeLessThan(0.005);

    // A retried step holds out the same rows and finds the versions it registered; another cycle holds out others.
    expect(await upload({ project: PROJECT, cycle: 2, datasetUri, target: 'y' })).toEqual(ref);
    // The next cycle on the same data holds out the same rows: the model trained now never sees them later.
    expect(await upload({ project: PROJECT, cycle: 3, datasetUri, target: 'y' })).toEqual(ref);
  });

  it('without a cycle uploads the whole file, as before, and holds out nothing', async () => {
    const ref = await uploadDataset(deps)({ project: PROJECT, datasetUri, target: 'y' });
    expect(ref.testSlice).toBeUndefined();
    const training = await deps.client.arm.dataVersions.get(t.rg, t.name, ref.name, ref.version);
    expect(tableRows(await blobTable(`${training.properties.dataUri}data.csv`))).toHaveLength(6000);
  });
});

describe('evaluateModels', () => {
  const strong = () => trainBankModel(4000, 1);
  const weak = () => trainBankModel(300, 1);
  let artifacts: Record<'green' | 'blue', ModelArtifact>;

  const deploy = (deploymentName: 'green' | 'blue', artifact: ModelArtifact, version: string) =>
    deployArtifact(t, deps, { project: PROJECT, endpointName: ENDPOINT, deploymentName, artifact, version });

  beforeAll(async () => {
    artifacts = { green: strong().artifact, blue: weak().artifact };
    await deploy('blue', artifacts.blue, '1');
    await deploy('green', artifacts.green, '2');
  }, 120_000);

  it('scores the slice through each deployment: the metric each model gives on it, and no key or row', async () => {
    const ref = await uploadDataset(deps)({ project: PROJECT, cycle: 2, datasetUri, target: 'y' });
    const testSlice = ref.testSlice!;
    const result = await evaluateModels(deps)({
      project: PROJECT,
      cycle: 2,
      endpointName: ENDPOINT,
      challenger: { deploymentName: 'green' },
      champion: { deploymentName: 'blue' },
      testSlice,
      target: 'y',
      primaryMetric: 'AUC_weighted',
    });

    // What each model gives the same rows in this process: equal only if each deployment scored its own model.
    const slice = await deps.client.arm.dataVersions.get(t.rg, t.name, testSlice.name, testSlice.version);
    const rows = tableRows(await blobTable(slice.properties.dataUri));
    const y = Uint8Array.from(rows, (r) => (r.y === 'yes' ? 1 : 0));
    const auc = (artifact: ModelArtifact) => {
      const model = loadModel(artifact);
      const proba = model.predictProba(rows.map(({ y: _y, ...r }) => asJsonRow(model, r)));
      return metricValue(
        'AUC_weighted',
        y,
        proba.map((p) => p[model.classes.indexOf('yes')]),
      );
    };
    expect(result).toEqual({
      primaryMetric: 'AUC_weighted',
      testRows: testSlice.rows,
      challenger: { deploymentName: 'green', metric: expect.closeTo(auc(artifacts.green), 12) },
      champion: { deploymentName: 'blue', metric: expect.closeTo(auc(artifacts.blue), 12) },
      difference: expect.closeTo(auc(artifacts.green) - auc(artifacts.blue), 12),
      interval: { low: expect.any(Number), high: expect.any(Number), confidence: 0.95 },
    });
    expect(result.challenger.metric).not.toBeCloseTo(result.champion!.metric, 6);
    // The paired bootstrap interval holds the difference, and on ~1,200 rows it is narrower than the difference.
    expect(result.interval!.low).toBeLessThan(result.difference!);
    expect(result.interval!.high).toBeGreaterThan(result.difference!);
    expect(result.interval!.low).toBeGreaterThan(0);

    const keys = await deps.client.arm.onlineEndpoints.listKeys(t.rg, t.name, ENDPOINT);
    const recorded = JSON.stringify(result);
    expect(recorded).not.toContain(keys.primaryKey!);
    expect(recorded).not.toContain(keys.secondaryKey!);
    expect(recorded.length).toBeLessThan(400);
  });

  it('scores the challenger alone on a first cycle', async () => {
    const ref = await uploadDataset(deps)({ project: PROJECT, cycle: 2, datasetUri, target: 'y' });
    const testSlice = ref.testSlice!;
    const input = {
      project: PROJECT,
      cycle: 2,
      endpointName: ENDPOINT,
      testSlice,
      target: 'y',
      primaryMetric: 'log_loss' as const,
    };
    const result = await evaluateModels(deps)({ ...input, challenger: { deploymentName: 'green' } });
    expect(Object.keys(result).sort()).toEqual(['challenger', 'primaryMetric', 'testRows']);
    expect(result.challenger.metric).toBeGreaterThan(0);
  });

  it('fails for good, naming the deployment, when the endpoint refuses it', async () => {
    const ref = await uploadDataset(deps)({ project: PROJECT, cycle: 2, datasetUri, target: 'y' });
    const failure = await evaluateModels(deps)({
      project: PROJECT,
      cycle: 2,
      endpointName: ENDPOINT,
      challenger: { deploymentName: 'nope' },
      testSlice: ref.testSlice!,
      target: 'y',
      primaryMetric: 'AUC_weighted',
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true });
    expect((failure as Error).message).toMatch(
      /Could not read deployment fair-ep\/nope: HTTP 404 ResourceNotFound: The online deployment 'nope' was not found/,
    );
  });
});

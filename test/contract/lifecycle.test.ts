// Contract: data -> AutoML job -> MLflow best child -> model -> endpoint -> blue/green deployments -> scoring,
// all via the SDK.
import { type RestError } from '@azure/core-rest-pipeline';
import type { AutoMLJob, Classification, OnlineEndpoint } from '@azure/arm-machinelearning';
import {
  FAST,
  bankSample,
  call,
  putJob,
  startTestWorkspace,
  uploadMltable,
  waitFor,
  type TestWorkspace,
} from './helpers';

let t: TestWorkspace;
let dataUri: string;
const COMPUTE = 'train-cluster';

beforeAll(async () => {
  t = await startTestWorkspace();
  dataUri = await uploadMltable(t, 'UI/bank', bankSample(2000));
  await t.client.computeOperations.beginCreateOrUpdateAndWait(
    t.rg,
    t.name,
    COMPUTE,
    {
      properties: {
        computeType: 'AmlCompute',
        properties: { scaleSettings: { maxNodeCount: 2, minNodeCount: 0, nodeIdleTimeBeforeScaleDown: 'PT1S' } },
      },
    },
    FAST,
  );
});
afterAll(async () => {
  await t?.dispose();
});

function automlJob(target: string, data = 'azureml:bankmarketing:1'): AutoMLJob {
  const task: Classification = {
    taskType: 'Classification',
    trainingData: { jobInputType: 'mltable', uri: data },
    targetColumnName: target,
    primaryMetric: 'AUCWeighted',
    limitSettings: {
      timeout: 'PT20S',
      maxTrials: 6,
      maxConcurrentTrials: 2,
      enableEarlyTermination: true,
      exitScore: 0.999,
    },
  };
  return {
    jobType: 'AutoML',
    experimentName: 'contract',
    displayName: 'bank',
    computeId: `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/computes/${COMPUTE}`,
    taskDetails: task,
  };
}

async function waitForJob(name: string, timeoutMs = 90_000): Promise<string[]> {
  const seen: string[] = [];
  await waitFor(
    `job ${name}`,
    async () => {
      const j = await t.client.jobs.get(t.rg, t.name, name);
      const s = j.properties.status!;
      if (seen[seen.length - 1] !== s) seen.push(s);
      return ['Completed', 'Failed', 'Canceled'].includes(s) ? s : undefined;
    },
    timeoutMs,
    100,
  );
  return seen;
}

const mlflow = (path: string) => {
  const base = `/mlflow/v1.0/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/api/2.0/mlflow`;
  return `${base}/${path}`;
};

describe('data assets', () => {
  test('mltable and uri_file versions PUT/GET/list; a changed URI for a version is 409; a folder without MLTable is 400', async () => {
    const v = await t.client.dataVersions.createOrUpdate(t.rg, t.name, 'bankmarketing', '1', {
      properties: { dataType: 'mltable', dataUri, description: 'bank marketing' },
    });
    expect(v.properties).toMatchObject({ dataType: 'mltable', dataUri });
    const csvUri = 'azureml://datastores/workspaceblobstore/paths/UI/bank/data.csv';
    await t.client.dataVersions.createOrUpdate(t.rg, t.name, 'bankcsv', '1', {
      properties: { dataType: 'uri_file', dataUri: csvUri },
    });
    const got = await t.client.dataVersions.get(t.rg, t.name, 'bankcsv', '1');
    expect(got.properties.dataUri).toBe(csvUri);
    const list = [];
    for await (const x of t.client.dataVersions.list(t.rg, t.name, 'bankmarketing')) list.push(x.name);
    expect(list).toEqual(['1']);
    const container = await t.client.dataContainers.get(t.rg, t.name, 'bankmarketing');
    expect(container.properties).toMatchObject({ latestVersion: '1', nextVersion: '2', dataType: 'mltable' });

    const clash = await t.client.dataVersions
      .createOrUpdate(t.rg, t.name, 'bankmarketing', '1', {
        properties: { dataType: 'mltable', dataUri: 'azureml://datastores/workspaceblobstore/paths/other/' },
      })
      .catch((e: RestError) => e);
    expect(clash).toMatchObject({ statusCode: 409, code: 'Conflict' });
    const noTable = await t.client.dataVersions
      .createOrUpdate(t.rg, t.name, 'broken', '1', {
        properties: { dataType: 'mltable', dataUri: 'azureml://datastores/workspaceblobstore/paths/nowhere/' },
      })
      .catch((e: RestError) => e);
    expect(noTable).toMatchObject({ statusCode: 400 });
    expect((noTable as RestError).message).toMatch(/MLTable/);
    const missing = await t.client.dataVersions.get(t.rg, t.name, 'bankmarketing', '7').catch((e: RestError) => e);
    expect(missing).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
  });
});

describe('AutoML job to a deployed, scoring endpoint', () => {
  const job = `automl-${Date.now()}`;
  let bestChild = '';

  test('job PUT is accepted NotStarted, runs Queued -> Running -> Completed with child runs', async () => {
    const created = await putJob(t, job, automlJob('y'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: job,
      properties: { status: 'NotStarted', jobType: 'AutoML', taskDetails: { primaryMetric: 'AUCWeighted' } },
    });
    // A retried identical PUT is answered with the job as it is (no second job); the journal shows both PUTs.
    const again = await putJob(t, job, automlJob('y'));
    expect(again.status).toBe(200);
    const seen = await waitForJob(job);
    expect(seen[seen.length - 1]).toBe('Completed');
    expect(seen).toContain('Running');
    const done = await t.client.jobs.get(t.rg, t.name, job);
    expect((done.properties as AutoMLJob).taskDetails.taskType).toBe('Classification');
    expect(done.properties.services?.Tracking?.endpoint).toMatch(/^azureml:\/\//);
    const listed = [];
    for await (const j of t.client.jobs.list(t.rg, t.name)) listed.push(j.name);
    expect(listed).toContain(job);
  });

  test('MLflow runs/get on the parent gives automl_best_child_run_id; children carry metrics', async () => {
    const parent = await call(t.ws, 'GET', mlflow(`runs/get?run_id=${job}`));
    expect(parent.status).toBe(200);
    const run = parent.json<{ run: { info: { status: string }; data: { tags: { key: string; value: string }[] } } }>()
      .run;
    expect(run.info.status).toBe('FINISHED');
    bestChild = run.data.tags.find((x) => x.key === 'automl_best_child_run_id')!.value;
    expect(bestChild).toMatch(new RegExp(`^${job}_\\d+$`));
    const child = await call(t.ws, 'GET', mlflow(`runs/get?run_id=${bestChild}`));
    const metrics = child.json<{ run: { data: { metrics: { key: string; value: number }[] } } }>().run.data.metrics;
    const auc = metrics.find((m) => m.key === 'AUC_weighted')!.value;
    expect(auc).toBeGreaterThan(0.8);
    const search = await call(t.ws, 'POST', mlflow('runs/search'), {
      body: { filter: `tags.mlflow.parentRunId = '${job}'`, order_by: ['metrics.AUC_weighted DESC'] },
    });
    const runs = search.json<{ runs: { info: { run_id: string } }[] }>().runs;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const notFound = await call(t.ws, 'GET', mlflow('runs/get?run_id=nope'));
    expect(notFound.status).toBe(404);
    expect(notFound.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  test('register the best model, deploy it blue/green, score through the endpoint', async () => {
    const modelUri = `azureml://jobs/${bestChild}/outputs/artifacts/outputs/mlflow-model`;
    const model = await t.client.modelVersions.createOrUpdate(t.rg, t.name, 'bank-model', '1', {
      properties: { modelType: 'mlflow_model', modelUri, jobName: job, description: 'best AutoML model' },
    });
    expect(model.properties.modelUri).toBe(modelUri);
    const badModel = await t.client.modelVersions
      .createOrUpdate(t.rg, t.name, 'bank-model', '9', {
        properties: {
          modelType: 'custom_model',
          modelUri: 'azureml://jobs/nojob/outputs/artifacts/outputs/model.json',
        },
      })
      .catch((e: RestError) => e);
    expect(badModel).toMatchObject({ statusCode: 400 });

    const ep = 'bank-ep';
    const endpoint = await t.client.onlineEndpoints.beginCreateOrUpdateAndWait(
      t.rg,
      t.name,
      ep,
      {
        location: 'local',
        properties: { authMode: 'Key', description: 'contract' },
        identity: { type: 'SystemAssigned' },
      },
      FAST,
    );
    expect(endpoint.properties).toMatchObject({ authMode: 'Key', provisioningState: 'Succeeded' });
    expect(endpoint.properties.scoringUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/inference\/bank-ep\/score$/);
    expect(endpoint.properties.swaggerUri).toMatch(/swagger\.json$/);

    const modelId = `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/models/bank-model/versions/1`;
    const deploy = (name: string, appInsightsEnabled: boolean) =>
      t.client.onlineDeployments.beginCreateOrUpdateAndWait(
        t.rg,
        t.name,
        ep,
        name,
        {
          location: 'local',
          sku: { name: 'Default', capacity: 1 },
          properties: {
            endpointComputeType: 'Managed',
            model: modelId,
            instanceType: 'Standard_DS3_v2',
            appInsightsEnabled,
          },
        },
        FAST,
      );
    const blue = await deploy('blue', true);
    expect(blue.properties).toMatchObject({ provisioningState: 'Succeeded', appInsightsEnabled: true });
    await deploy('green', false);

    const withTraffic: OnlineEndpoint = {
      ...endpoint,
      properties: { ...endpoint.properties, traffic: { blue: 100, green: 0 } },
    };
    const updated = await t.client.onlineEndpoints.beginCreateOrUpdateAndWait(t.rg, t.name, ep, withTraffic, FAST);
    expect(updated.properties.traffic).toEqual({ blue: 100, green: 0 });
    const badTraffic = await t.client.onlineEndpoints
      .beginCreateOrUpdateAndWait(
        t.rg,
        t.name,
        ep,
        { ...withTraffic, properties: { ...withTraffic.properties, traffic: { blue: 50, purple: 50 } } },
        FAST,
      )
      .catch((e: RestError) => e);
    expect(badTraffic).toMatchObject({ statusCode: 400 });

    const keys = await t.client.onlineEndpoints.listKeys(t.rg, t.name, ep);
    expect(keys.primaryKey).toBeTruthy();
    const row = bankSample(3).trim().split('\n');
    const header = row[0].split(',');
    const values = row[1].split(',');
    const record = Object.fromEntries(header.filter((h) => h !== 'y').map((h) => [h, values[header.indexOf(h)]]));
    const score = (key: string, headers: Record<string, string> = {}) =>
      call(t.ws, 'POST', endpoint.properties.scoringUri!, { token: key, body: { data: [record] }, headers });
    const res = await score(keys.primaryKey!);
    expect(res.status).toBe(200);
    expect(res.headers['azureml-model-deployment']).toBe('blue');
    expect(res.text).toMatch(/yes|no/);
    const green = await score(keys.primaryKey!, { 'azureml-model-deployment': 'green' });
    expect(green.status).toBe(200);
    expect(green.headers['azureml-model-deployment']).toBe('green');
    expect((await score('wrong-key-wrong-key-wrong')).status).toBe(401);
    // The endpoint forwards the body untouched: a malformed one gets the scoring server's answer, not the workspace's.
    const malformed = await call(t.ws, 'POST', endpoint.properties.scoringUri!, {
      token: keys.primaryKey!,
      body: '{"data": [{"job": "admin."}}',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toEqual({
      message: expect.stringMatching(/^the body is not valid JSON \(.*position 27\)/),
    });
    const swagger = await call(t.ws, 'GET', endpoint.properties.swaggerUri!, { token: keys.primaryKey! });
    expect(swagger.status).toBe(200);

    await t.client.onlineEndpoints.beginRegenerateKeysAndWait(t.rg, t.name, ep, { keyType: 'Primary' }, FAST);
    const rotated = await t.client.onlineEndpoints.listKeys(t.rg, t.name, ep);
    expect(rotated.primaryKey).not.toBe(keys.primaryKey);
    expect(rotated.secondaryKey).toBe(keys.secondaryKey);
    expect((await score(keys.primaryKey!)).status).toBe(401);
    expect((await score(rotated.primaryKey!)).status).toBe(200);

    const logs = await t.client.onlineDeployments.getLogs(t.rg, t.name, ep, 'blue', {
      containerType: 'InferenceServer',
      tail: 50,
    });
    expect(logs.content).toBeTruthy();

    const hasTraffic = await t.client.onlineDeployments
      .beginDeleteAndWait(t.rg, t.name, ep, 'blue', FAST)
      .catch((e: RestError) => e);
    expect(hasTraffic).toMatchObject({ statusCode: 400 });
    await t.client.onlineDeployments.beginDeleteAndWait(t.rg, t.name, ep, 'green', FAST);
    await expect(t.client.onlineDeployments.get(t.rg, t.name, ep, 'green')).rejects.toMatchObject({ statusCode: 404 });
    await t.client.onlineEndpoints.beginDeleteAndWait(t.rg, t.name, ep, FAST);
    await expect(t.client.onlineEndpoints.get(t.rg, t.name, ep)).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });
});

describe('batch scoring', () => {
  test('batch endpoint and deployment (LROs); invoking scores a whole file in parallel mini-batches into blob storage', async () => {
    const modelId = `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/models/bank-model/versions/1`;
    const ep = await t.client.batchEndpoints.beginCreateOrUpdateAndWait(
      t.rg,
      t.name,
      'bank-batch',
      { location: 'local', properties: { authMode: 'AADToken', defaults: { deploymentName: 'main' } } },
      FAST,
    );
    expect(ep.properties).toMatchObject({ provisioningState: 'Succeeded' });
    const d = await t.client.batchDeployments.beginCreateOrUpdateAndWait(
      t.rg,
      t.name,
      'bank-batch',
      'main',
      {
        location: 'local',
        properties: {
          model: { referenceType: 'Id', assetId: modelId },
          compute: COMPUTE,
          miniBatchSize: 100,
          maxConcurrencyPerInstance: 2,
          outputFileName: 'predictions.csv',
          outputAction: 'AppendRow',
        },
      },
      FAST,
    );
    expect(d.properties).toMatchObject({ provisioningState: 'Succeeded', miniBatchSize: 100 });
    expect((await t.client.batchDeployments.get(t.rg, t.name, 'bank-batch', 'main')).name).toBe('main');
    const invoked = await call(t.ws, 'POST', ep.properties.scoringUri!, {
      body: {
        properties: {
          InputData: {
            data: { JobInputType: 'UriFile', Uri: 'azureml://datastores/workspaceblobstore/paths/UI/bank/data.csv' },
          },
        },
      },
    });
    expect(invoked.status).toBe(202);
    const jobUrl = String(invoked.headers.location);
    const job = await waitFor(
      'batch job',
      async () => {
        const j = (await call(t.ws, 'GET', jobUrl)).json<{
          status: string;
          rows?: number;
          output: { path: string };
          error?: unknown;
        }>();
        return j.status === 'Running' ? undefined : j;
      },
      60_000,
      200,
    );
    expect(job).toMatchObject({ status: 'Completed', rows: 2000 });
    const csv = (await t.container.getBlockBlobClient(job.output.path).downloadToBuffer()).toString();
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(2001);
    expect(lines[0]).toMatch(/,prediction,probability_/);
    expect(lines[1]).toMatch(/,(yes|no),/);
  });
});

describe('job failures and cancel', () => {
  test('a missing target column fails the job with a readable message', async () => {
    const name = `badtarget-${Date.now()}`;
    expect((await putJob(t, name, automlJob('not_a_column'))).status).toBe(201);
    const seen = await waitForJob(name, 30_000);
    expect(seen[seen.length - 1]).toBe('Failed');
    const raw = await call(
      t.ws,
      'GET',
      `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/jobs/${name}?api-version=2022-10-01`,
    );
    const body = raw.json<{ error: { code: string; message: string } }>();
    expect(body.error.message).toMatch(/not_a_column/);
    const viaSdk = await t.client.jobs.get(t.rg, t.name, name);
    expect(viaSdk.properties.properties?.['azureml.error.message']).toMatch(/not_a_column/);
  });

  test('invalid job bodies are 400 naming the field; unknown data asset is 400', async () => {
    const bad = {
      ...automlJob('y'),
      taskDetails: { ...(automlJob('y').taskDetails as Classification), primaryMetric: 'AUC_weighted' as never },
    };
    const e1 = await putJob(t, 'bad1', bad);
    expect(e1.status).toBe(400);
    expect(e1.body).toMatchObject({
      error: { target: 'properties.taskDetails.primaryMetric', message: expect.stringMatching(/AUCWeighted/) },
    });
    const e2 = await t.client.jobs
      .createOrUpdate(t.rg, t.name, 'bad2', { properties: automlJob('y', 'azureml:nosuchdata:1') })
      .catch((e: RestError) => e);
    expect(e2).toMatchObject({ statusCode: 400 });
    expect((e2 as RestError).message).toMatch(/nosuchdata/);
    const e3 = await putJob(t, 'bad3', { ...automlJob('y'), computeId: 'azureml:nocluster' });
    expect(e3).toMatchObject({ status: 400, body: { error: { target: 'properties.computeId' } } });
    const e4 = await putJob(t, 'bad4', { ...automlJob('y'), jobType: 'Command' });
    expect(e4).toMatchObject({ status: 400, body: { error: { target: 'properties.jobType' } } });
  });

  test('cancel moves a running job to Canceled (LRO)', async () => {
    const name = `cancel-${Date.now()}`;
    const spec = automlJob('y');
    (spec.taskDetails as Classification).limitSettings = { timeout: 'PT5M', maxTrials: 200, maxConcurrentTrials: 1 };
    expect((await putJob(t, name, spec)).status).toBe(201);
    await waitFor(
      'running',
      async () => ((await t.client.jobs.get(t.rg, t.name, name)).properties.status === 'Running' ? true : undefined),
      20_000,
      50,
    );
    // The cluster scaled up for the job: one node busy.
    const busy = (await t.client.computeOperations.get(t.rg, t.name, COMPUTE)).properties as {
      properties?: { currentNodeCount?: number; nodeStateCounts?: { runningNodeCount?: number } };
    };
    expect(busy.properties?.nodeStateCounts?.runningNodeCount).toBe(1);
    expect(busy.properties?.currentNodeCount).toBeGreaterThanOrEqual(1);
    const started = Date.now();
    await t.client.jobs.beginCancelAndWait(t.rg, t.name, name, FAST);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await t.client.jobs.get(t.rg, t.name, name)).properties.status).toBe('Canceled');
    // nodeIdleTimeBeforeScaleDown is PT1S: the idle node goes away.
    await waitFor(
      'scale-down',
      async () => {
        const c = (await t.client.computeOperations.get(t.rg, t.name, COMPUTE)).properties as {
          properties?: { currentNodeCount?: number };
        };
        return c.properties?.currentNodeCount === 0 ? true : undefined;
      },
      5000,
      100,
    );
  });
});

// Contract: TLS, auth, workspace, datastores, computes and error shapes through @azure/arm-machinelearning.
import { RestError } from '@azure/core-rest-pipeline';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { BlobServiceClient } from '@azure/storage-blob';
import { FAST, call, startTestWorkspace, type TestWorkspace } from './helpers';
import { LocalWorkspaceCredential } from '../../src/emulator';

let t: TestWorkspace;
beforeAll(async () => {
  t = await startTestWorkspace();
});
afterAll(async () => {
  await t?.dispose();
});

async function restError(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RestError);
    return e as RestError;
  }
  throw new Error('expected the call to fail');
}

describe('TLS and authentication', () => {
  test('a client that does not trust the certificate cannot connect', async () => {
    const untrusting = new AzureMachineLearningWorkspaces(t.ws.credential, t.ws.subscriptionId, {
      endpoint: t.ws.endpoint,
      retryOptions: { maxRetries: 0 },
    });
    const err = await restError(untrusting.workspaces.get(t.rg, t.name));
    expect(String(err.message)).toMatch(/certificate/i);
  });

  test('a request without a bearer token gets 401 in Azure error shape', async () => {
    const res = await call(
      t.ws,
      'GET',
      `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}?api-version=2022-10-01`,
      { token: false },
    );
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      error: expect.objectContaining({ code: 'AuthenticationFailed', message: expect.any(String) }),
    });
  });

  test('a token signed by another workspace is refused', async () => {
    const foreign = new LocalWorkspaceCredential('not-the-secret');
    const client = new AzureMachineLearningWorkspaces(foreign, t.ws.subscriptionId, {
      endpoint: t.ws.endpoint,
      tlsOptions: { ca: t.ws.caCertificate },
    });
    const err = await restError(client.workspaces.get(t.rg, t.name));
    expect(err.statusCode).toBe(401);
    expect(err.code).toBe('InvalidAuthenticationToken');
  });
});

describe('workspace and datastores', () => {
  test('workspace GET has the MLflow tracking URI and storage account', async () => {
    const w = await t.client.workspaces.get(t.rg, t.name);
    expect(w.name).toBe(t.name);
    expect(w.provisioningState).toBe('Succeeded');
    expect(w.mlFlowTrackingUri).toMatch(/^azureml:\/\/127\.0\.0\.1:\d+\/mlflow\/v1\.0\/subscriptions\//);
    expect(w.storageAccount).toMatch(/\/providers\/Microsoft\.Storage\/storageAccounts\/devstoreaccount1$/);
  });

  test('unknown workspace is 404 ResourceNotFound', async () => {
    const err = await restError(t.client.workspaces.get(t.rg, 'nope'));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('ResourceNotFound');
  });

  test('workspaceblobstore GET and listSecrets give a working Azurite account key', async () => {
    const ds = await t.client.datastores.get(t.rg, t.name, 'workspaceblobstore');
    expect(ds.properties).toMatchObject({
      datastoreType: 'AzureBlob',
      accountName: 'devstoreaccount1',
      isDefault: true,
      containerName: t.ws.blob.containerName,
    });
    const secrets = await t.client.datastores.listSecrets(t.rg, t.name, 'workspaceblobstore');
    expect(secrets.secretsType).toBe('AccountKey');
    const key = (secrets as { key?: string }).key!;
    const endpoint = ds.properties.tags!['amlops.blobEndpoint'];
    const svc = BlobServiceClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=${endpoint};`,
    );
    const blob = svc
      .getContainerClient((ds.properties as { containerName: string }).containerName)
      .getBlockBlobClient('hello.txt');
    await blob.upload('hi', 2);
    expect((await blob.downloadToBuffer()).toString()).toBe('hi');
    const missing = await restError(t.client.datastores.get(t.rg, t.name, 'nostore'));
    expect(missing.statusCode).toBe(404);
  });
});

describe('computes', () => {
  test('create is an LRO Creating -> Succeeded, via Azure-AsyncOperation', async () => {
    const seen: string[] = [];
    const poller = await t.client.computeOperations.beginCreateOrUpdate(
      t.rg,
      t.name,
      'cpu-cluster',
      {
        location: 'local',
        properties: {
          computeType: 'AmlCompute',
          properties: {
            vmSize: 'STANDARD_D2_V2',
            vmPriority: 'Dedicated',
            scaleSettings: { maxNodeCount: 4, minNodeCount: 0, nodeIdleTimeBeforeScaleDown: 'PT1S' },
          },
        },
      },
      {
        ...FAST,
        onResponse: (raw) => seen.push(`${raw.status} ${raw.headers.get('azure-asyncoperation') ? 'async' : ''}`),
      },
    );
    expect(seen[0]).toBe('201 async');
    const c = await poller.pollUntilDone();
    expect(c.properties?.provisioningState).toBe('Succeeded');
    const got = await t.client.computeOperations.get(t.rg, t.name, 'cpu-cluster');
    expect(got.properties).toMatchObject({ computeType: 'AmlCompute', provisioningState: 'Succeeded' });
    const props = (got.properties as { properties?: { scaleSettings?: unknown; currentNodeCount?: number } })
      .properties;
    expect(props?.scaleSettings).toEqual({ maxNodeCount: 4, minNodeCount: 0, nodeIdleTimeBeforeScaleDown: 'PT1S' });
    expect(props?.currentNodeCount).toBe(0);
  });

  test('bad scale settings are 400 naming the field', async () => {
    const err = await restError(
      t.client.computeOperations.beginCreateOrUpdateAndWait(
        t.rg,
        t.name,
        'bad',
        {
          properties: {
            computeType: 'AmlCompute',
            properties: { scaleSettings: { maxNodeCount: 1, minNodeCount: 3 } },
          },
        },
        FAST,
      ),
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/minNodeCount/);
    // The SDK refuses a malformed duration itself, so the server's check is driven raw.
    const raw = await call(
      t.ws,
      'PUT',
      `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/computes/bad?api-version=2022-10-01`,
      {
        body: {
          properties: {
            computeType: 'AmlCompute',
            properties: { scaleSettings: { maxNodeCount: 2, nodeIdleTimeBeforeScaleDown: 'two minutes' } },
          },
        },
      },
    );
    expect(raw.status).toBe(400);
    expect(raw.json()).toMatchObject({
      error: { target: 'properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown' },
    });
    const notAml = await restError(
      t.client.computeOperations.beginCreateOrUpdateAndWait(
        t.rg,
        t.name,
        'ci',
        { properties: { computeType: 'ComputeInstance' } },
        FAST,
      ),
    );
    expect(notAml.statusCode).toBe(400);
    expect(notAml.message).toMatch(/computeType/);
  });

  test('missing compute is 404 ResourceNotFound; delete is an LRO', async () => {
    const err = await restError(t.client.computeOperations.get(t.rg, t.name, 'nope'));
    expect(err).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await t.client.computeOperations.beginCreateOrUpdateAndWait(
      t.rg,
      t.name,
      'tmp',
      { properties: { computeType: 'AmlCompute', properties: { scaleSettings: { maxNodeCount: 1 } } } },
      FAST,
    );
    await t.client.computeOperations.beginDeleteAndWait(t.rg, t.name, 'tmp', 'Delete', FAST);
    const gone = await restError(t.client.computeOperations.get(t.rg, t.name, 'tmp'));
    expect(gone.statusCode).toBe(404);
  });

  test('unknown routes are 404 in Azure error shape, missing api-version is 400', async () => {
    const res = await call(t.ws, 'GET', '/subscriptions/x/nothing-here?api-version=2022-10-01');
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NotFound' } });
    const noVersion = await call(
      t.ws,
      'GET',
      `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}`,
    );
    expect(noVersion.status).toBe(400);
    expect(noVersion.json()).toMatchObject({ error: { code: 'MissingApiVersionParameter', target: 'api-version' } });
    const badJson = await call(
      t.ws,
      'PUT',
      `/subscriptions/${t.ws.subscriptionId}/resourceGroups/${t.rg}/providers/Microsoft.MachineLearningServices/workspaces/${t.name}/computes/x?api-version=2022-10-01`,
      { body: '{not json' },
    );
    expect(badJson.status).toBe(400);
    expect(badJson.json()).toMatchObject({ error: { code: 'InvalidRequestContent' } });
  });
});

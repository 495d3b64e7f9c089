// The generated OpenAPI documents validate with swagger-parser, and their example requests score.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Writable } from 'node:stream';
import { startScoringServer, type ScoringServer } from '../../../src/serving';
import { PRIMARY, toyModel } from './toy-model';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a parsed JSON document by known paths
type Doc = Record<string, any>; // any: walking a parsed JSON document by known paths

describe('swagger.json', () => {
  let server: ScoringServer;
  beforeAll(async () => {
    server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY },
      logDestination: new Writable({ write: (_c, _e, d) => d() }),
    });
  });
  afterAll(() => server.close());

  const fetchDoc = async (query = ''): Promise<Doc> =>
    (await (await fetch(`${server.swaggerUri}${query}`)).json()) as Doc;
  const score = (body: unknown): Promise<Response> =>
    fetch(server.scoringUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}` },
      body: JSON.stringify(body),
    });

  it('v2 validates as Swagger 2.0 and its example scores', async () => {
    const doc = await fetchDoc();
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const example = doc.definitions.ServiceInput.example;
    expect(example.Inputs.data[0]).toEqual({ age: 57, job: 'technician', default: 'no' }); // a real row, target removed
    const res = await score(example);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Results: ['no', 'yes'] });
    expect(doc.securityDefinitions.Bearer).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(doc.definitions.ServiceOutput.properties.Results.items.enum).toEqual(['no', 'yes']);
  });

  it('v3 validates as OpenAPI 3.0 and every example scores', async () => {
    const doc = await fetchDoc('?version=3');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const examples = doc.paths['/score'].post.requestBody.content['application/json'].examples as Record<
      string,
      { value: unknown }
    >;
    expect(Object.keys(examples).sort()).toEqual(['automl', 'mlflow', 'v1']);
    for (const { value } of Object.values(examples)) expect((await score(value)).status).toBe(200);
  });

  it('a broken document fails validation (the check can fail)', async () => {
    const doc = await fetchDoc();
    delete doc.paths['/score'].post.responses;
    await expect(SwaggerParser.validate(doc as never)).rejects.toThrow();
  });
});

// Hostile and odd bodies never crash the server or get a 5xx: each gets a 4xx with a message,
// and the next request scores.
import { Writable } from 'node:stream';
import { startScoringServer, type ScoringServer } from '../../../src/serving';
import { PRIMARY, toyModel } from './toy-model';

const good = JSON.stringify({ data: [{ age: 57, job: 'technician', default: 'no' }] });
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

const bodies: Array<[string, string]> = [
  ['proto pollution in a row', '{"data":[{"age":1,"job":"x","default":"no","__proto__":{"polluted":true}}]}'],
  [
    'constructor.prototype',
    '{"data":[{"constructor":{"prototype":{"polluted":true}},"age":1,"job":"x","default":"no"}]}',
  ],
  ['deeply nested rows', `{"data":${deep(5000)}}`],
  ['deeply nested value', `{"data":[{"age":${deep(5000)},"job":"x","default":"no"}]}`],
  ['huge number', '{"data":[{"age":1e400,"job":"x","default":"no"}]}'],
  ['NaN text', '{"data":[{"age":"NaN","job":"x","default":"no"}]}'],
  ['null body', 'null'],
  ['string body', '"hello"'],
  ['number body', '42'],
  ['data is a string', '{"data":"rows"}'],
  ['Inputs is null', '{"Inputs":null}'],
  ['input_data rows not arrays', '{"input_data":{"columns":["age"],"data":[1,2]}}'],
  ['input_data duplicate columns', '{"input_data":{"columns":["age","age","job","default"],"data":[[1,2,"x","no"]]}}'],
  ['unicode column names', '{"data":[{"âge":1,"job":"x","default":"no"}]}'],
  ['empty object row', '{"data":[{}]}'],
  ['truncated', '{"data":[{"age":1,'],
  ['trailing garbage', `${good}xyz`],
  [
    'many rows with one bad at the end',
    JSON.stringify({
      data: [
        ...Array.from({ length: 500 }, () => ({ age: 2, job: 'x', default: 'no' })),
        { age: 'x', job: 'x', default: 'no' },
      ],
    }),
  ],
];

describe('robustness', () => {
  let server: ScoringServer;
  beforeAll(async () => {
    server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY },
      logDestination: new Writable({ write: (_c, _e, d) => d() }),
    });
  });
  afterAll(() => server.close());

  const post = (body: string): Promise<Response> =>
    fetch(server.scoringUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}` },
      body,
    });

  it.each(bodies)('%s: 4xx with a message, then still scores', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(((await res.json()) as { message: string }).message.length).toBeGreaterThan(5);
    const next = await post(good);
    expect(next.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a missing content type gets 415, an empty JSON body 400', async () => {
    const none = await fetch(server.scoringUri, {
      method: 'POST',
      headers: { authorization: `Bearer ${PRIMARY}` },
      body: good,
    });
    expect([400, 415]).toContain(none.status);
    const empty = await fetch(server.scoringUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}` },
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { message: string }).message).toMatch(/empty/);
    expect((await post(good)).status).toBe(200);
  });
});

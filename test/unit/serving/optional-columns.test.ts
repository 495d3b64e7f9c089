// Optional input columns (AMLOPS_OPTIONAL_COLUMNS): scored as missing when left out, documented as not required, and
// the columns each request left out recorded by name in its telemetry record.
import { Writable } from 'node:stream';
import type { LoadedModel, RawRow } from '../../../src/automl/types';
import { startScoringServer, type ScoringServer } from '../../../src/serving';
import { PRIMARY, TOY_ROWS, toyModel } from './toy-model';

const rows = TOY_ROWS.map(({ y: _y, ...r }) => r);

class Capture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

/** The toy model, remembering the rows it was asked to score (what the validator handed it). */
function recordingModel(scored: RawRow[]): LoadedModel {
  const model = toyModel();
  return {
    ...model,
    artifact: model.artifact,
    inputSchema: model.inputSchema,
    classes: model.classes,
    predictProba: model.predictProba,
    predict: (r) => {
      scored.push(...r);
      return model.predict(r);
    },
  };
}

type Json = Record<string, unknown>;
const inputRow = (doc: Json, openapi3: boolean): { required: string[]; properties: Record<string, Json> } => {
  const defs = openapi3 ? (doc.components as Json).schemas : doc.definitions;
  return (defs as Json).InputRow as { required: string[]; properties: Record<string, Json> };
};

describe('optional input columns', () => {
  let server: ScoringServer;
  const logs = new Capture();
  const scored: RawRow[] = [];

  beforeAll(async () => {
    server = await startScoringServer({
      model: recordingModel(scored),
      keys: { primaryKey: PRIMARY },
      optionalColumns: ['job', 'not-a-model-column'],
      appInsightsEnabled: true,
      logDestination: logs,
    });
  });
  afterAll(() => server.close());

  const score = (data: unknown[], id: string): Promise<Response> =>
    fetch(server.scoringUri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}`, 'x-ms-request-id': id },
      body: JSON.stringify({ data }),
    });
  const records = async (): Promise<Json[]> => {
    await new Promise((r) => setTimeout(r, 50));
    return logs.lines.map((l) => JSON.parse(l) as Json).filter((r) => r.event === 'request');
  };

  it('scores a row without an optional column with the value missing', async () => {
    scored.length = 0;
    const { job: _job, ...withoutJob } = rows[0]!;
    const res = await score([withoutJob, rows[1]], 'without-job');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: ['no', 'yes'] });
    expect(scored[0]).toEqual({ ...withoutJob, job: null });
    expect(scored[1]).toEqual(rows[1]);
  });

  it('still refuses a row without a required column, naming it', async () => {
    const { age: _age, default: _default, ...lacking } = rows[0]!;
    const res = await score([lacking], 'without-age');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/column 'age': missing/);
  });

  it('records the columns each request left out, by name only, and nothing for a request that sent them all', async () => {
    await score(rows, 'complete');
    const byId = (id: string) => records().then((all) => all.find((r) => r.requestId === id));
    expect(await byId('without-job')).toMatchObject({ status: 200, missingColumns: ['job'] });
    // The refused request lacked two required columns (the optional job was sent): both are named.
    expect(await byId('without-age')).toMatchObject({ status: 400, missingColumns: ['age', 'default'] });
    expect((await byId('complete'))?.missingColumns).toBeUndefined();
    // Names only: no value of the left-out rows' other columns reaches a record.
    expect(logs.lines.join('\n')).not.toContain('technician');
  });

  it.each([
    [2, false],
    [3, true],
  ])('swagger %s leaves optional columns out of required and says how they are scored', async (version, openapi3) => {
    const doc = (await (await fetch(`${server.swaggerUri}?version=${version}`)).json()) as Json;
    const row = inputRow(doc, openapi3);
    expect(row.required).toEqual(['age', 'default']);
    expect(row.properties.job?.description).toMatch(
      /Optional: a row without this column is scored with the value missing/,
    );
    expect(row.properties.age?.description).toBeUndefined();
  });
});

describe('without optional columns', () => {
  it('requires every column, in swagger and in scoring', async () => {
    const server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY },
      logDestination: new Capture(),
    });
    try {
      const doc = (await (await fetch(server.swaggerUri)).json()) as Json;
      expect(inputRow(doc, false).required).toEqual(['age', 'job', 'default']);
      const { job: _job, ...withoutJob } = rows[0]!;
      const res = await fetch(server.scoringUri, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PRIMARY}` },
        body: JSON.stringify({ data: [withoutJob] }),
      });
      expect(res.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});

// The training runner: reads files, runs trials on worker threads within the budget, reports progress,
// cancels promptly, reproduces a seed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetError, loadModel, type ModelArtifact, parseCsv, tableRows } from '../../../src/automl';
import { ExperimentCanceledError, readDataset, runExperiment } from '../../../src/training';
import { syntheticRows, toCsv } from '../automl/synthetic';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amlops-training-'));
const csv = path.join(dir, 'xor.csv');
const csvText = toCsv(syntheticRows({ rows: 400, pattern: 'xor', seed: 11 }));
fs.writeFileSync(csv, csvText);
const table = parseCsv(csvText);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readDataset', () => {
  it('names a missing file', async () => {
    await expect(readDataset(path.join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'FileMissing' });
  });
  it('names an empty file', async () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    await expect(readDataset(empty)).rejects.toMatchObject({
      code: 'EmptyFile',
      message: expect.stringContaining('empty.csv'),
    });
  });
  it('reads rows as objects keyed by the header', async () => {
    const t = await readDataset(csv);
    expect(tableRows(t)).toHaveLength(400);
    expect(t.columns).toContain('label');
  });
});

describe('runExperiment', () => {
  it('respects the time budget and reports progress', async () => {
    const events: number[] = [];
    const t0 = Date.now();
    const r = await runExperiment({
      table,
      settings: { target: 'label', timeoutSeconds: 3 },
      nodes: 2,
      onProgress: (p) => events.push(p.trialsDone),
    });
    const wall = (Date.now() - t0) / 1000;
    expect(wall).toBeLessThan(3 + 2.5);
    expect(events.length).toBeGreaterThan(2);
    expect(events).toEqual([...events].sort((a, b) => a - b));
    expect(r.best.metrics.AUC_weighted).toBeGreaterThan(0.85);
    // The artifact loads and scores.
    const model = loadModel(JSON.parse(JSON.stringify(r.artifact)) as ModelArtifact);
    expect(
      model.predict([
        { x1: 0.5, x2: 0.5 },
        { x1: 0.5, x2: -0.5 },
      ]),
    ).toEqual(['no', 'yes']);
  });

  it('stops within a second of cancellation', async () => {
    const ac = new AbortController();
    const p = runExperiment({ table, settings: { target: 'label', timeoutSeconds: 60 }, nodes: 2, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(ExperimentCanceledError);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('gives the same leaderboard for the same seed and nodes', async () => {
    const settings = { target: 'label', timeoutSeconds: 60, maxTrials: 6, seed: 3 };
    const a = await runExperiment({ table, settings, nodes: 2 });
    const b = await runExperiment({ table, settings, nodes: 2 });
    const strip = (r: typeof a) => r.leaderboard.map((t) => ({ ...t, trainSeconds: 0 }));
    expect(strip(a)).toEqual(strip(b));
    expect(a.leaderboard.filter((t) => t.algorithm !== 'VotingEnsemble')).toHaveLength(6);
  });

  it('rejects bad input with a DatasetError', async () => {
    const bad = { table, settings: { target: 'y', timeoutSeconds: 5 }, nodes: 1 };
    await expect(runExperiment(bad)).rejects.toBeInstanceOf(DatasetError);
    await expect(runExperiment(bad)).rejects.toThrow(/x1, x2/);
  });

  it('cancels a trial that exceeds trialTimeoutSeconds', async () => {
    const settings = { target: 'label', timeoutSeconds: 4, trialTimeoutSeconds: 0.001, maxTrials: 3 };
    const r = await runExperiment({ table, settings, nodes: 1 }).catch((e: Error) => e);
    // With every trial canceled, no model can be chosen: the error says what to change.
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/trialTimeoutSeconds|timeoutSeconds/);
  });
});

// The local workspace's training thread: the training files cross to it and are parsed there; trials, the result or
// the DatasetError come back.
import * as os from 'node:os';
import { DatasetError, parseCsv } from '../../../src/automl';
import { ThreadTrainingEngine } from '../../../src/emulator/jobs/thread-engine';
import { syntheticRows, toCsv } from '../automl/synthetic';

const csv = toCsv(syntheticRows({ rows: 400, pattern: 'xor', seed: 11 }));
const data = { texts: [csv], reference: 'azureml:xor:1' };
const table = parseCsv(csv);
const engine = new ThreadTrainingEngine();
const workDir = os.tmpdir();

describe('ThreadTrainingEngine', () => {
  it('trains on the posted files and reports each trial as it ends', async () => {
    const trials: number[] = [];
    const settings = { target: 'label', timeoutSeconds: 60, maxTrials: 3, maxConcurrentTrials: 1, seed: 3 };
    const onTrial = (t: { trialId: number }) => trials.push(t.trialId);
    const r = await engine.train({ data, settings, workDir }, { onTrial }, new AbortController().signal);
    expect(trials.sort()).toEqual([0, 1, 2]);
    expect(r.best.metrics.AUC_weighted).toBeGreaterThan(0.5);
  });

  it("rejects bad data with the engine's own DatasetError, code and details intact", async () => {
    const settings = { target: 'y', timeoutSeconds: 5 };
    const e = await engine
      .train({ data, settings, workDir }, { onTrial: () => {} }, new AbortController().signal)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect(e).toMatchObject({
      code: 'TargetColumnMissing',
      details: { columns: table.columns },
      message: expect.stringMatching(/x1, x2/),
    });
  });
});

// The in-process search: same seed gives the same leaderboard, the trial limit holds,
// the ensemble is kept only when it helps.
import { parseCsv, train } from '../../../src/automl';
import { syntheticRows, toCsv } from './synthetic';

describe('train', () => {
  const table = parseCsv(toCsv(syntheticRows({ rows: 400, pattern: 'xor', seed: 5 })));
  const run = (seed: number) =>
    train(table, { target: 'label', timeoutSeconds: 60, maxTrials: 6, seed }, { now: Date.now });
  const strip = (r: ReturnType<typeof run>) => r.leaderboard.map((t) => ({ ...t, trainSeconds: 0 }));

  const first = run(7);

  it('gives the same leaderboard for the same seed', () => {
    const a = first;
    const b = run(7);
    expect(strip(a)).toEqual(strip(b));
    expect(a.leaderboard.filter((t) => t.algorithm !== 'VotingEnsemble')).toHaveLength(6);
    const c = run(8);
    expect(strip(c)).not.toEqual(strip(a));
  });

  it('ranks the leaderboard best first and explains on raw columns', () => {
    const r = first;
    const aucs = r.leaderboard.map((t) => t.metrics.AUC_weighted);
    expect([...aucs].sort((x, y) => y - x)).toEqual(aucs);
    // The final model is the top of the leaderboard unless a faster, nearly-as-good one was preferred (and said so).
    if (!r.guardrails.some((g) => g.name === 'Scoring latency')) expect(r.best).toEqual(r.leaderboard[0]);
    expect(r.leaderboard).toContainEqual(r.best);
    expect(r.best.metrics.AUC_weighted).toBeGreaterThan(0.9);
    if (r.best.algorithm === 'VotingEnsemble') {
      const bestSingle = r.leaderboard.find((t) => t.algorithm !== 'VotingEnsemble')!;
      expect(r.best.metrics.AUC_weighted).toBeGreaterThan(bestSingle.metrics.AUC_weighted);
    }
    const top2 = r.explanation
      .slice(0, 2)
      .map((e) => e.column)
      .sort();
    expect(top2).toEqual(['x1', 'x2']);
    expect(r.explanation.map((e) => e.column)).toEqual(expect.arrayContaining(['id', 'constant', 'noise', 'color']));
    expect(r.validation).toEqual({ method: 'cv', folds: 5 });
  });

  it('stops at the time budget', () => {
    let t = 0;
    const r = train(table, { target: 'label', timeoutSeconds: 5, seed: 1 }, { now: () => (t += 1000) });
    // The fake clock advances 1 s per reading; about two readings per trial.
    expect(r.leaderboard.length).toBeLessThan(5);
  });

  it('honours the primary metric and exitScore', () => {
    const r = train(
      table,
      { target: 'label', timeoutSeconds: 60, maxTrials: 10, exitScore: 0.5, primaryMetric: 'accuracy' },
      { now: Date.now },
    );
    expect(r.primaryMetric).toBe('accuracy');
    expect(r.leaderboard.filter((t) => t.algorithm !== 'VotingEnsemble').length).toBe(1);
  });
});

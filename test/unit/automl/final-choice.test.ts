// The final model's scoring-cost rules: the hard cap holds whatever the metric,
// the soft budget trades at most a little metric.
import {
  chooseFinal,
  HARD_MAX_SCORE_COST,
  type PreparedExperiment,
  type TrialRecord,
} from '../../../src/automl/experiment';

const prep = {
  primaryMetric: 'AUC_weighted',
  classes: ['no', 'yes'],
  evalY: new Uint8Array([0, 1]),
} as unknown as PreparedExperiment;

function trial(trialId: number, score: number, scoreCost: number): TrialRecord {
  return {
    result: {
      trialId,
      algorithm: 'GradientBoosting',
      hyperparameters: {},
      metrics: {} as TrialRecord['result']['metrics'],
      trainSeconds: 1,
      status: 'Completed',
    },
    score,
    cost: 1,
    preds: new Float64Array([0.2, 0.8]),
    scoreCost,
  };
}

describe('chooseFinal scoring cost', () => {
  it('never picks a trial over the hard cap while one within it completed, and says why', () => {
    const choice = chooseFinal(
      prep,
      [trial(1, 0.95, HARD_MAX_SCORE_COST + 2000), trial(2, 0.94, 3000), trial(3, 0.9, 500)],
      false,
    );
    expect(choice.members).toEqual([{ trialId: 2, weight: 1 }]);
    expect(choice.note).toMatch(
      /Trial 1 \(AUC_weighted 0\.9500\) was passed over: it scores at 6000 tree-node visits per row, over the 4000/,
    );
  });

  it('keeps a better trial within the cap when no cheap one is nearly as good', () => {
    const choice = chooseFinal(prep, [trial(1, 0.95, 3500), trial(2, 0.9, 500)], false);
    expect(choice.members).toEqual([{ trialId: 1, weight: 1 }]);
    expect(choice.note).toBeUndefined();
  });

  it('prefers a cheap trial within the tolerance', () => {
    const choice = chooseFinal(prep, [trial(1, 0.95, 3500), trial(2, 0.9495, 500)], false);
    expect(choice.members).toEqual([{ trialId: 2, weight: 1 }]);
    expect(choice.note).toMatch(/Trial 2 was chosen over trial 1/);
  });

  it('falls back to the best trial when every trial is over the cap', () => {
    const choice = chooseFinal(prep, [trial(1, 0.95, 9000), trial(2, 0.94, 8000)], false);
    expect(choice.members).toEqual([{ trialId: 1, weight: 1 }]);
  });
});

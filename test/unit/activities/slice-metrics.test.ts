// Both models' metrics on the test slice: one class order for both, a class a model lacks counts as probability 0.
import { metricValue } from '../../../src/automl';
import { compareOnSlice } from '../../../src/activities/slice-metrics';

const labels = ['no', 'yes', 'no', 'yes', 'no', 'no'];
const good = [0.1, 0.8, 0.3, 0.6, 0.2, 0.4].map((p) => ({ no: 1 - p, yes: p }));
const poor = [0.6, 0.4, 0.2, 0.7, 0.5, 0.1].map((p) => ({ no: 1 - p, yes: p }));
const y = Uint8Array.from(labels, (l) => (l === 'yes' ? 1 : 0));
const pYes = (proba: { yes: number }[]) => Float64Array.from(proba, (p) => p.yes);

describe('compareOnSlice', () => {
  it('gives each model the metric the engine computes, and the challenger advantage', () => {
    const c = compareOnSlice('AUC_weighted', labels, 7, good, poor);
    expect(c.challenger).toBe(metricValue('AUC_weighted', y, pYes(good)));
    expect(c.champion).toBe(metricValue('AUC_weighted', y, pYes(poor)));
    expect(c.challenger).toBe(1);
    expect(c.difference).toBeCloseTo(c.challenger - c.champion!, 12);
    expect(compareOnSlice('AUC_weighted', labels, 7, poor, good).difference).toBeCloseTo(-c.difference!, 12);
  });

  it('turns a loss around: a lower log_loss is a positive difference', () => {
    const c = compareOnSlice('log_loss', labels, 7, good, poor);
    expect(c.challenger).toBeLessThan(c.champion!);
    expect(c.difference).toBeCloseTo(c.champion! - c.challenger, 12);
    expect(c.difference).toBeGreaterThan(0);
  });

  it('gives a seeded paired bootstrap interval of the advantage, turned around for a loss', () => {
    // 200 rows: the good model's scores follow the label, the poor one's half as much (noise from a fixed formula).
    const many = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 'yes' : 'no'));
    const noise = (i: number) => (Math.sin(i * 12.9898) * 43758.5453) % 1;
    const scored = (signal: number) =>
      many.map((l, i) => {
        const p = Math.min(0.99, Math.max(0.01, 0.5 + (l === 'yes' ? signal : -signal) + 0.4 * noise(i)));
        return { no: 1 - p, yes: p };
      });
    const [strong, weak] = [scored(0.3), scored(0.1)];
    const c = compareOnSlice('AUC_weighted', many, 7, strong, weak);
    expect(c.interval!.confidence).toBe(0.95);
    expect(c.interval!.low).toBeLessThan(c.difference!);
    expect(c.interval!.high).toBeGreaterThan(c.difference!);
    expect(compareOnSlice('AUC_weighted', many, 7, strong, weak).interval).toEqual(c.interval);
    expect(compareOnSlice('AUC_weighted', many, 8, strong, weak).interval).not.toEqual(c.interval);
    // log_loss: lower is better, so the interval of the advantage is the negated interval of challenger - champion.
    const loss = compareOnSlice('log_loss', many, 7, strong, weak);
    const swapped = compareOnSlice('log_loss', many, 7, weak, strong);
    expect(loss.difference).toBeGreaterThan(0);
    expect(loss.interval!.low).toBeLessThan(loss.difference!);
    expect(loss.interval!.high).toBeGreaterThan(loss.difference!);
    expect(loss.interval!.low).toBeCloseTo(-swapped.interval!.high, 12);
    expect(loss.interval!.high).toBeCloseTo(-swapped.interval!.low, 12);
  });

  it('holds a served probability a hair outside [0, 1] to it, and still refuses one that is not a number', () => {
    const hair = good.map((p, i) => (i === 1 ? { no: -2e-16, yes: 1 + 2e-16 } : p));
    expect(compareOnSlice('AUC_weighted', labels, 7, hair, poor).interval).toBeDefined();
    const broken = good.map((p, i) => (i === 1 ? { no: NaN, yes: NaN } : p));
    expect(() => compareOnSlice('AUC_weighted', labels, 7, broken, poor)).toThrow(/probability 1 is NaN/);
  });

  it('reads the challenger alone on a first cycle', () => {
    expect(compareOnSlice('accuracy', labels, 7, good)).toEqual({ challenger: 1 });
  });

  it('scores a champion that never predicts a class the slice holds as giving it probability 0', () => {
    const three = ['no', 'yes', 'maybe', 'no', 'yes', 'maybe'];
    const sure = (l: string, c: string) => (l === c ? 0.8 : 0.1);
    const challenger = three.map((l) => ({ no: sure(l, 'no'), yes: sure(l, 'yes'), maybe: sure(l, 'maybe') }));
    const champion = three.map((l) => ({ no: l === 'no' ? 0.9 : 0.1, yes: l === 'no' ? 0.1 : 0.9 }));
    const c = compareOnSlice('accuracy', three, 7, challenger, champion);
    expect(c.challenger).toBe(1);
    expect(c.champion).toBeCloseTo(4 / 6, 12);
    expect(c.difference).toBeCloseTo(2 / 6, 12);
  });
});

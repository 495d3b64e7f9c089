// Input compatibility of a challenger with the champion and live clients: each kind of finding alone, optional
// columns, the live counts in the reason, and refused evidence.
import { checkInputCompatibility, type InputColumnSpec, type ModelInputs } from '../../../src/monitoring';

const col = (name: string, type = 'numeric', required = true): InputColumnSpec => ({ name, type, required });
const champion: ModelInputs = {
  columns: [col('age'), col('job', 'categorical'), col('default', 'boolean')],
  classes: ['no', 'yes'],
};
const live = (requests: number, lacking: Record<string, number> = {}) => ({ requests, lacking });

describe('checkInputCompatibility', () => {
  it('finds nothing when the challenger takes the same columns and classes', () => {
    const verdict = checkInputCompatibility(champion, { ...champion }, live(40));
    expect(verdict).toEqual({
      compatible: true,
      findings: [],
      reason: 'the challenger takes every request the champion takes (40 recent live requests read)',
    });
  });

  it('a new required column is lacking from every live request, named with the count in the reason', () => {
    const challenger = { ...champion, columns: [...champion.columns, col('score_hint')] };
    const verdict = checkInputCompatibility(champion, challenger, live(8000));
    expect(verdict.compatible).toBe(false);
    expect(verdict.findings).toEqual([
      { kind: 'missing-column', column: 'score_hint', liveRequestsLacking: 8000, of: 8000 },
    ]);
    expect(verdict.reason).toBe(
      "the challenger requires column 'score_hint', which 8000 of 8000 recent live requests lack;" +
        ' allow new columns as optional (optionalColumns), or have clients send them first',
    );
  });

  it('a new column the challenger takes as optional is no finding', () => {
    const challenger = { ...champion, columns: [...champion.columns, col('score_hint', 'numeric', false)] };
    expect(checkInputCompatibility(champion, challenger, live(10)).compatible).toBe(true);
  });

  it('a column optional on the champion and required now counts the live requests that leave it out', () => {
    const optionalBefore = {
      ...champion,
      columns: [col('age'), col('job', 'categorical', false), col('default', 'boolean')],
    };
    const verdict = checkInputCompatibility(optionalBefore, champion, live(50, { job: 12 }));
    expect(verdict.findings).toEqual([{ kind: 'missing-column', column: 'job', liveRequestsLacking: 12, of: 50 }]);
    // Every live request sent it: requiring it breaks nobody.
    expect(checkInputCompatibility(optionalBefore, champion, live(50)).compatible).toBe(true);
    // No live request read: nothing shows that clients send it.
    expect(checkInputCompatibility(optionalBefore, champion, live(0)).findings).toEqual([
      { kind: 'missing-column', column: 'job', liveRequestsLacking: 0, of: 0 },
    ]);
  });

  it('a type change is found with the live requests that send the column', () => {
    const challenger = { ...champion, columns: [col('age', 'categorical'), ...champion.columns.slice(1)] };
    const verdict = checkInputCompatibility(champion, challenger, live(30, { age: 5 }));
    expect(verdict.findings).toEqual([
      { kind: 'type-change', column: 'age', from: 'numeric', to: 'categorical', liveRequestsSending: 25, of: 30 },
    ]);
    expect(verdict.reason).toBe(
      "the challenger reads column 'age' as categorical instead of numeric, which 25 of 30 recent live requests send",
    );
  });

  it('a dropped column the champion required would refuse clients that send it', () => {
    const challenger = { ...champion, columns: champion.columns.filter((c) => c.name !== 'job') };
    expect(checkInputCompatibility(champion, challenger, live(20)).findings).toEqual([
      { kind: 'dropped-column', column: 'job', liveRequestsSending: 20, of: 20 },
    ]);
    // Optional on the champion and left out by every live request: dropping it breaks nobody.
    const optionalJob = {
      ...champion,
      columns: [col('age'), col('job', 'categorical', false), col('default', 'boolean')],
    };
    expect(checkInputCompatibility(optionalJob, challenger, live(20, { job: 20 })).compatible).toBe(true);
  });

  it('a class the champion predicts and the challenger cannot is lost', () => {
    const verdict = checkInputCompatibility({ ...champion, classes: ['no', 'yes', 'maybe'] }, champion, live(10));
    expect(verdict.findings).toEqual([{ kind: 'lost-class', className: 'maybe' }]);
    expect(verdict.reason).toBe("the challenger cannot predict class 'maybe', which the champion predicts");
    // A class only the challenger has is no finding.
    expect(
      checkInputCompatibility(champion, { ...champion, classes: ['no', 'yes', 'maybe'] }, live(10)).compatible,
    ).toBe(true);
  });

  it('lists every finding, and says when no live request was read to count', () => {
    const challenger: ModelInputs = {
      columns: [col('age', 'categorical'), col('default', 'boolean'), col('score_hint')],
      classes: ['no'],
    };
    const verdict = checkInputCompatibility(champion, challenger, live(0));
    expect(verdict.findings.map((f) => f.kind)).toEqual([
      'type-change',
      'missing-column',
      'dropped-column',
      'lost-class',
    ]);
    expect(verdict.reason).toContain("requires column 'score_hint', no recent live requests were read to count");
  });

  it('refuses counts that cannot be', () => {
    expect(() => checkInputCompatibility(champion, champion, live(-1))).toThrow(/whole number >= 0, got -1/);
    expect(() => checkInputCompatibility(champion, champion, live(3, { job: 4 }))).toThrow(
      /lacking 'job' must be a whole number from 0 to 3/,
    );
  });
});

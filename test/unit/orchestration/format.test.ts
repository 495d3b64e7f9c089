// What the CLI prints of a cycle's fair evaluation: both numbers on the test slice, its size and the interval.
import type { CycleRecord } from '../../../src/contract';
import { formatCycle, formatHistory } from '../../../src/starters/format';

const record = (extra: Partial<CycleRecord>): CycleRecord => ({
  cycle: 2,
  outcome: 'kept-champion',
  reason: 'champion kept',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:05:00.000Z',
  triggers: ['r2'],
  datasetUri: 'data/x.csv',
  model: { name: 'm', version: '2', primaryMetric: 'AUC_weighted', metricValue: 0.95 },
  steps: [],
  ...extra,
});

const evaluation = {
  primaryMetric: 'AUC_weighted' as const,
  testRows: 6590,
  challenger: { deploymentName: 'cycle-2', metric: 0.78 },
  champion: { deploymentName: 'cycle-1', metric: 0.8 },
  difference: -0.02,
  interval: { low: -0.031, high: -0.0092, confidence: 0.95 },
};

test('history shows the validation metric, then the test slice: rows, both numbers, difference and interval', () => {
  const [header, row] = formatHistory([record({ evaluation })]).split('\n');
  expect(header.split(/\s{2,}/)).toEqual([
    'cycle',
    'outcome',
    'model',
    'metric',
    'test rows',
    'challenger',
    'champion',
    'difference',
    'triggers',
    'ended',
    'why',
  ]);
  expect(row.split(/\s{2,}/)).toEqual([
    '2',
    'kept-champion',
    'm:2',
    '0.9500',
    '6590',
    '0.7800',
    '0.8000',
    '-0.0200 [-0.0310, -0.0092] 95%',
    '1',
    '2026-01-01 00:05:00',
    'champion kept',
  ]);
});

test('a first cycle shows the challenger alone; a cycle without a slice shows dashes', () => {
  const first = { primaryMetric: 'AUC_weighted' as const, testRows: 600, challenger: evaluation.challenger };
  const rows = formatHistory([record({ cycle: 1, evaluation: first }), record({ cycle: 3 })]).split('\n');
  expect(rows[1].split(/\s{2,}/).slice(4, 8)).toEqual(['600', '0.7800', '-', '-']);
  expect(rows[2].split(/\s{2,}/).slice(4, 8)).toEqual(['-', '-', '-', '-']);
});

test('the end-of-cycle summary has a test slice line with both numbers and the interval', () => {
  expect(formatCycle(record({ evaluation })).split('\n')).toContain(
    '  test slice  6590 rows, AUC_weighted: challenger 0.7800, champion 0.8000, difference -0.0200 [-0.0310, -0.0092] 95%',
  );
});

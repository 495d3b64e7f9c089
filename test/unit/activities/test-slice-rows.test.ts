// The test slice as request rows: the label out of each row, and an even sample of it for the rollout's probe.
import { ApplicationFailure } from '@temporalio/common';
import { encodeTable } from '../../../src/automl/table';
import { labelledRows, spreadSample } from '../../../src/activities/test-slice-rows';

const slice = encodeTable(
  ['age', 'y', 'job'],
  [
    ['30', 'no', 'admin'],
    ['41', 'yes', 'retired'],
  ],
);
const ref = { name: 'p-test', version: '1' };

test('labelledRows leaves the label out of the rows and returns it apart, row for row', () => {
  const { rows, labels } = labelledRows(slice, 'y', ref);
  expect(labels).toEqual(['no', 'yes']);
  expect(rows.map((r) => Object.keys(r).sort())).toEqual([
    ['age', 'job'],
    ['age', 'job'],
  ]);
  expect(rows[1]).toMatchObject({ job: 'retired' });
});

test('labelledRows refuses for good a slice without the target, naming both', () => {
  const failure = (() => {
    try {
      return labelledRows(slice, 'outcome', ref);
    } catch (err) {
      return err;
    }
  })();
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidTestSlice', nonRetryable: true });
  expect((failure as Error).message).toBe('The test slice p-test:1 has no column "outcome".');
});

test('spreadSample takes rows evenly over the slice, not its head: a slice ordered by class gives both', () => {
  const sorted = [...Array<string>(90).fill('no'), ...Array<string>(10).fill('yes')];
  const sample = spreadSample(sorted, 20);
  expect(sample).toHaveLength(20);
  expect(sample.filter((v) => v === 'yes')).toHaveLength(2);
  expect(spreadSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8]);
  // Fewer rows than asked: all of them, in order, as a copy.
  const few = [1, 2, 3];
  expect(spreadSample(few, 200)).toEqual(few);
  expect(spreadSample(few, 200)).not.toBe(few);
});

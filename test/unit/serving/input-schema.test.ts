// The one description of the input row: what each column type accepts, and how the OpenAPI document shows it.
import { Expected, describeInput, type InputColumn } from '../../../src/serving/input-schema';
import { TOY_SCHEMA } from './toy-model';

const [age, job, flag] = describeInput(TOY_SCHEMA) as [InputColumn, InputColumn, InputColumn];
const refusal = (value: unknown): string | undefined => (value instanceof Expected ? value.what : undefined);

describe('input schema', () => {
  it('numeric columns take numbers and numeric text; empty text is a missing value', () => {
    expect([57, '57', ' 7 ', '', null].map((v) => age.accept(v))).toEqual([57, 57, 7, null, null]);
    expect(refusal(age.accept(Infinity))).toBe('a finite number');
    expect(refusal(age.accept('old'))).toBe('a number');
    expect(refusal(age.accept(true))).toBe('a number');
  });

  it('categorical columns take text, numbers and booleans as text; unseen values are counted', () => {
    expect(['admin.', 3, false, null].map((v) => job.accept(v))).toEqual(['admin.', '3', 'false', null]);
    expect(refusal(job.accept({ a: 1 }))).toBe('a string category');
    expect(job.categories?.has('technician')).toBe(true);
    expect(age.categories).toBeUndefined();
  });

  it('two-valued columns take true/false, 0/1 and their category text', () => {
    expect([true, 0, 1, 'yes', null].map((v) => flag.accept(v))).toEqual([true, false, true, 'yes', null]);
    expect(refusal(flag.accept(2))).toBe('true/false');
  });

  it('documents each column for both OpenAPI versions, with a real example typed as JSON', () => {
    expect(age.property(age.exampleCell('57'), false)).toEqual({
      type: 'number',
      format: 'double',
      'x-nullable': true,
      example: 57,
    });
    expect(job.property(undefined, true)).toEqual({
      type: 'string',
      description: 'Categorical. Seen in training: admin., technician, services; other values are scored as unseen.',
      nullable: true,
    });
    expect(flag.property('no', true)).toMatchObject({ type: 'string' });
    expect(flag.property(true, true)).toMatchObject({ type: 'boolean' });
    expect([age.exampleCell(''), job.exampleCell('57'), flag.exampleCell(undefined)]).toEqual([null, '57', null]);
  });
});

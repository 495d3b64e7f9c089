// What live clients send, read from a deployment's request records: which requests count, the columns they lacked.
import { columnPresence } from '../../../src/activities/request-columns';

const line = (record: Record<string, unknown>) =>
  JSON.stringify({ level: 30, event: 'request', route: '/score', ...record });

test('counts scored requests and those refused for missing columns, per column lacked', () => {
  const logs = [
    line({ status: 200 }),
    line({ status: 200, missingColumns: ['job'] }),
    line({ status: 400, missingColumns: ['age', 'job'] }),
    // Refused before its rows were read, or for another reason: says nothing about columns.
    line({ status: 401 }),
    line({ status: 400, error: "row 0, column 'age': expected a number" }),
    // Not scoring requests, or not records at all.
    line({ status: 200, route: '/swagger.json' }),
    JSON.stringify({ event: 'listening', url: 'http://127.0.0.1:1' }),
    'Traceback: not JSON',
    // A container runtime's prefix before the record.
    `2026-11-30T02:00:00Z stdout F ${line({ status: 200, missingColumns: ['job', 'job'] })}`,
    '',
  ].join('\n');
  expect(columnPresence(logs)).toEqual({ requests: 4, lacking: { job: 3, age: 1 } });
});

test('no records: no requests', () => {
  expect(columnPresence('')).toEqual({ requests: 0, lacking: {} });
});

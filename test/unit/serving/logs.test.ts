// Reading a deployment log's tail: exact line counts across read-chunk boundaries, missing logs, safe paths.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deploymentLogPath, readDeploymentLogs } from '../../../src/serving';

describe('deployment logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amlops-logs-'));
  const ref = { endpointName: 'bank-ep', deploymentName: 'blue' };

  it('places logs per endpoint and deployment, with names made path-safe', () => {
    expect(deploymentLogPath('/logs', ref)).toBe('/logs/bank-ep/blue.log');
    expect(deploymentLogPath('/logs', { deploymentName: 'blue' })).toBe('/logs/blue.log');
    expect(deploymentLogPath('/logs', { endpointName: '../etc', deploymentName: 'x/y' })).toBe('/logs/.._etc/x_y.log');
  });

  it('returns the last N lines, oldest first, across chunk boundaries', () => {
    const path = deploymentLogPath(dir, ref);
    mkdirSync(dirname(path), { recursive: true });
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(i % 97) }));
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect(readDeploymentLogs(dir, ref, 3)).toBe(`${lines.slice(-3).join('\n')}\n`);
    const many = readDeploymentLogs(dir, ref, 4000).trimEnd().split('\n');
    expect(many).toHaveLength(4000);
    expect(many[0]).toBe(lines[1000]);
    expect(readDeploymentLogs(dir, ref, 10_000).trimEnd().split('\n')).toHaveLength(5000);
  });

  it('is empty for a deployment that has not logged, and for tail 0', () => {
    expect(readDeploymentLogs(dir, { endpointName: 'bank-ep', deploymentName: 'green' }, 10)).toBe('');
    expect(readDeploymentLogs(dir, ref, 0)).toBe('');
  });
});

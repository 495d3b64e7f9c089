// smokeTest: the smoke test and load benchmark against the new deployment (before it gets traffic), as the gate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBenchmark, runSmokeTest } from '../smoketest';
import type { SmokeSummary, SmokeTestInput } from '../contract';
import { beat, type ActivityDeps } from './deps';
import { deploymentTarget } from './endpoint-target';

export const smokeTest = ({ client, reportsDir }: ActivityDeps) =>
  async function smokeTest({ project, cycle, deployment, gate }: SmokeTestInput): Promise<SmokeSummary> {
    const { endpointName, deploymentName } = deployment;
    const outDir = join(reportsDir, project, `cycle-${cycle}`);
    // This cycle's deployment directly: the endpoint's traffic still goes to the champion.
    const target = await deploymentTarget(client, endpointName, deploymentName);
    beat({ check: 'smoke test' });
    const smoke = await runSmokeTest({ ...target, outDir });
    const checks = smoke.checks.map((c) => ({ name: c.name, passed: c.passed, detail: c.reason }));
    if (!smoke.passed) return { passed: false, checks, reportUri: outDir };

    beat({ check: 'benchmark' });
    // The benchmark sends what the smoke test just proved scores correctly (its data.json).
    const example = readFileSync(smoke.files?.dataJson ?? join(outDir, 'data.json'), 'utf8');
    const bench = await runBenchmark({
      ...target,
      body: JSON.parse(example) as unknown,
      requests: gate.requests,
      connections: gate.connections,
      thresholds: { maxP95Ms: gate.maxP95Ms, maxErrorRate: gate.maxErrorRate },
      outDir,
    });
    const gatePassed = bench.gate?.passed ?? true;
    checks.push({ name: 'benchmark', passed: gatePassed, detail: (bench.gate?.reasons ?? []).join('; ') });
    return {
      passed: gatePassed,
      checks,
      benchmark: {
        requestsPerSec: bench.requestsPerSecond,
        p50Ms: bench.latencyMs.p50,
        p95Ms: bench.latencyMs.p95,
        p99Ms: bench.latencyMs.p99,
        errorRate: bench.errorRate,
      },
      reportUri: outDir,
    };
  };

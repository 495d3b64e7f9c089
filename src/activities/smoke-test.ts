// smokeTest: the smoke test and load benchmark against the new deployment (before it gets traffic), as the gate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../azureml';
import { runBenchmark, runSmokeTest } from '../smoketest';
import type { SmokeSummary, SmokeTestInput } from '../contract';
import { beat, type ActivityDeps } from './deps';

export const smokeTest = ({ client, reportsDir }: ActivityDeps) =>
  async function smokeTest({ project, cycle, deployment, gate }: SmokeTestInput): Promise<SmokeSummary> {
    const { endpointName, deploymentName, scoringUri } = deployment;
    const endpoint = await call(`read endpoint ${endpointName}`, () =>
      client.arm.onlineEndpoints.get(client.rg, client.ws, endpointName),
    );
    // The key is fetched here and lives only in this call: never returned, logged or put in a report.
    const keys = await call(`read the keys of endpoint ${endpointName}`, () =>
      client.arm.onlineEndpoints.listKeys(client.rg, client.ws, endpointName),
    );
    const key = keys.primaryKey ?? keys.secondaryKey;
    if (!key) throw new Error(`Endpoint ${endpointName} returned no key; it must use authMode Key.`);

    const outDir = join(reportsDir, project, `cycle-${cycle}`);
    const target = {
      scoringUri,
      key,
      ...(endpoint.properties.swaggerUri ? { swaggerUri: endpoint.properties.swaggerUri } : {}),
      ...(client.target.caCertificate ? { ca: client.target.caCertificate } : {}),
      // Test this cycle's deployment directly: the endpoint's traffic still goes to the champion.
      headers: { 'azureml-model-deployment': deploymentName },
    };
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

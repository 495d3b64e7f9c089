// Instant, scriptable stand-ins for the cycle's activities, for tests of the workflow's decisions only.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { asStep } from '../../src/activities/deps';
import type { Activities, LiveCheck } from '../../src/contract';

export type ActivityName = keyof Activities;
export type { Activities };

export interface Call {
  name: ActivityName;
  input: Record<string, unknown>;
  attempt: number;
}

export interface FakeScript {
  /** Primary metric of the model registered in cycle N (1-based); default 0.9 + N/100. */
  metric?: (cycle: number) => number;
  /**
   * Primary metric the model of cycle N reaches on a test slice, whichever cycle's slice it is (evaluateModels);
   * default: its validation metric, metric(N).
   */
  sliceMetric?: (cycle: number) => number;
  smokePasses?: (cycle: number) => boolean;
  /** Whether the challenger deployed in cycle N needs a column live clients do not send; default false. */
  incompatible?: (cycle: number) => boolean;
  /** Throw to fail an attempt; return to let it succeed. */
  fail?: Partial<Record<ActivityName, (attempt: number, input: Record<string, unknown>) => void>>;
  /** Awaited before the activity answers, to hold a cycle at a step. */
  hold?: Partial<Record<ActivityName, () => Promise<void>>>;
  /** What a rollout's live check measures; default: both deployments healthy with plenty of live traffic. */
  check?: (input: Record<string, unknown>) => Partial<LiveCheck>;
}

/** A passing live check: both deployments served 100 live requests without errors and agree on the probe. */
export function healthyCheck(input: Record<string, unknown>): LiveCheck {
  const deployment = (role: 'champion' | 'challenger') => ({
    deployment: input[role] as string,
    role,
    requests: 100,
    synthetic: 0,
    status4xx: 0,
    status5xx: 0,
    p95Ms: 20,
  });
  return {
    at: new Date().toISOString(),
    stage: input.stage as LiveCheck['stage'],
    windowSeconds: input.windowSeconds as number,
    deployments: [deployment('champion'), deployment('challenger')],
    probe: { rows: 2, source: 'probe', champion: { no: 2 }, challenger: { no: 2 }, jsDistance: 0 },
    verdict: 'pass',
    breaches: [],
  };
}

export function fakeActivities(script: FakeScript = {}): { activities: Activities; calls: Call[] } {
  const calls: Call[] = [];
  const metric = script.metric ?? ((cycle: number) => 0.9 + cycle / 100);
  const sliceMetric = script.sliceMetric ?? metric;
  /** The cycle whose model a deployment serves: deployments are named cycle-N. */
  const servedBy = (deployment: unknown) => Number(/^cycle-(\d+)$/.exec(String(deployment))?.[1]);

  function wrap<N extends ActivityName>(name: N, answer: (input: Record<string, unknown>) => unknown): Activities[N] {
    // The real step wrapper: progress reports and heartbeats, as production activities have them.
    const fn = asStep(name, async (input: Record<string, unknown>) => {
      const attempt = Context.current().info.attempt;
      calls.push({ name, input, attempt });
      script.fail?.[name]?.(attempt, input);
      await script.hold?.[name]?.();
      return answer(input);
    });
    return fn as unknown as Activities[N];
  }

  const activities: Activities = {
    // As the real step: a test slice is held out when the cycle is given, unless the data is a registered asset.
    uploadDataset: wrap('uploadDataset', (i) => ({
      name: `${i.project}-data`,
      version: 'abc123',
      uri: `azureml:${i.project}-data:abc123`,
      ...(i.cycle !== undefined && !String(i.datasetUri).startsWith('azureml:')
        ? {
            testSlice: {
              name: `${i.project}-test`,
              version: 'def456',
              uri: `azureml:${i.project}-test:def456`,
              rows: 600,
            },
          }
        : {}),
    })),
    ensureCompute: wrap('ensureCompute', (i) => ({
      name: (i.compute as { name: string }).name,
      provisioningState: 'Succeeded',
    })),
    submitAutoML: wrap('submitAutoML', (i) => ({ jobName: i.jobName, attached: false })),
    waitForAutoML: wrap('waitForAutoML', (i) => ({
      jobName: i.jobName,
      status: 'Completed',
      bestChildRunId: `${i.jobName}_3`,
      bestMetric: 0.9,
      trialsDone: 4,
    })),
    registerModel: wrap('registerModel', (i) => ({
      name: i.modelName,
      version: String(i.cycle),
      primaryMetric: i.primaryMetric,
      metricValue: metric(i.cycle as number),
    })),
    deployModel: wrap('deployModel', (i) => ({
      endpointName: i.endpointName,
      deploymentName: i.deploymentName,
      scoringUri: `https://127.0.0.1/${i.endpointName}/score`,
    })),
    enableInsights: wrap('enableInsights', () => ({ appInsightsEnabled: true, logLines: 3 })),
    checkCompatibility: wrap('checkCompatibility', (i) => {
      const cycle = Number(String(i.challengerDeployment).replace('cycle-', ''));
      if (!script.incompatible?.(cycle)) {
        const reason = 'the challenger takes every request the champion takes (40 recent live requests read)';
        return { compatible: true, findings: [], liveRequests: 40, optionalColumns: [], reason };
      }
      return {
        compatible: false,
        findings: [{ kind: 'missing-column', column: 'score_hint', liveRequestsLacking: 40, of: 40 }],
        liveRequests: 40,
        optionalColumns: [],
        reason: "the challenger requires column 'score_hint', which 40 of 40 recent live requests lack",
      };
    }),
    evaluateModels: wrap('evaluateModels', (i) => {
      const challenger = i.challenger as { deploymentName: string };
      const champion = i.champion as { deploymentName: string } | undefined;
      const ours = sliceMetric(servedBy(challenger.deploymentName));
      const base = { primaryMetric: i.primaryMetric, testRows: 600, challenger: { ...challenger, metric: ours } };
      if (!champion) return base;
      const theirs = sliceMetric(servedBy(champion.deploymentName));
      const difference = ours - theirs;
      const interval = { low: difference - 0.01, high: difference + 0.01, confidence: 0.95 };
      return { ...base, champion: { ...champion, metric: theirs }, difference, interval };
    }),
    smokeTest: wrap('smokeTest', (i) => {
      const passed = script.smokePasses?.(i.cycle as number) ?? true;
      return {
        passed,
        checks: [{ name: 'score', passed, detail: passed ? 'labels ok' : 'answered labels outside {no, yes}' }],
      };
    }),
    switchTraffic: wrap('switchTraffic', (i) => ({
      endpointName: i.endpointName,
      traffic: { [i.deploymentName as string]: 100 },
    })),
    rollbackDeployment: wrap('rollbackDeployment', (i) => ({
      endpointName: i.endpointName,
      traffic: i.previousDeployment ? { [i.previousDeployment as string]: 100 } : {},
    })),
    setTraffic: wrap('setTraffic', (i) => ({
      endpointName: i.endpointName,
      traffic: i.traffic,
      mirrorTraffic: i.mirrorTraffic,
    })),
    checkRollout: wrap('checkRollout', (i) => ({ ...healthyCheck(i), ...script.check?.(i) })),
    publishPipeline: wrap('publishPipeline', (i) => ({
      batchEndpoint: i.batchEndpointName,
      triggerUrl: 'http://127.0.0.1:8787/hooks/generic',
    })),
  };
  return { activities, calls };
}

export const retryable = (message: string) => ApplicationFailure.retryable(message, 'Throttled');
export const fatal = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');

/** A gate a test opens by hand. */
export function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { wait: () => p, open };
}

// checkRollout: one live check of a rollout step. Both deployments' live metrics over the step so far (Azure Monitor,
// or the local workspace's same API), synthetic requests where live traffic is too thin to judge, a probe of the two
// deployments' predictions on the same rows, and the verdict of src/monitoring's judgeRollout.
import { deploymentMetrics, type DeploymentMetrics } from '../azureml';
import type { CheckRolloutInput, DeploymentCheck, LiveCheck } from '../contract';
import {
  distributionDistance,
  judgeRollout,
  type Counts,
  type DeploymentWindow,
  type RolloutThresholds,
} from '../monitoring';
import {
  call as http,
  exampleRequestOf,
  rowsOf,
  runBenchmark,
  scoreProbabilities,
  swaggerUriOf,
  type EndpointTarget,
} from '../smoketest';
import { beat, type ActivityDeps } from './deps';
import { deploymentTarget } from './endpoint-target';

/** Synthetic requests per deployment and check at most: a stand-in for thin traffic, not a load test. */
const MAX_SYNTHETIC = 1000;

type Role = DeploymentCheck['role'];

/** The thresholds in judgeRollout's names. */
export function verdictThresholds(t: CheckRolloutInput['thresholds']): RolloutThresholds {
  return {
    maxServerErrorRate: t.max5xxRate,
    maxClientErrorRate: t.max4xxRate,
    minRequests: t.minRequests,
    ...(t.maxP95Ms !== undefined ? { maxP95LatencyMs: t.maxP95Ms } : {}),
    ...(t.maxP95Ratio !== undefined ? { maxP95LatencyRatio: t.maxP95Ratio } : {}),
    ...(t.maxPredictionJsDistance !== undefined ? { maxPredictionDistance: t.maxPredictionJsDistance } : {}),
  };
}

/** Live metrics plus what synthetic requests measured, as one deployment's numbers for the check. */
export function combine(
  deployment: string,
  role: Role,
  live: DeploymentMetrics | undefined,
  synthetic?: { requests: number; statusCounts: Record<string, number>; p95Ms: number },
): DeploymentCheck {
  const count = (cls: string) =>
    Object.entries(synthetic?.statusCounts ?? {})
      .filter(([status]) => status.startsWith(cls))
      .reduce((n, [, c]) => n + c, 0);
  const p95s = [live?.latencyP95Ms, synthetic && synthetic.requests > 0 ? synthetic.p95Ms : undefined];
  const measured = p95s.filter((v): v is number => v !== undefined);
  return {
    deployment,
    role,
    requests: (live?.requests ?? 0) + (synthetic?.requests ?? 0),
    synthetic: synthetic?.requests ?? 0,
    status4xx: (live?.status4xx ?? 0) + count('4'),
    status5xx: (live?.status5xx ?? 0) + count('5'),
    // The worse of the two: a slow deployment must not hide behind fast synthetic requests, nor the reverse.
    ...(measured.length ? { p95Ms: Math.max(...measured) } : {}),
  };
}

/** Label counts of predicted probabilities: the most probable class of each row. */
export function labelCounts(probabilities: Record<string, number>[]): Counts {
  const counts: Counts = {};
  for (const p of probabilities) {
    const best = Object.entries(p).reduce<[string, number] | undefined>(
      (top, e) => (top === undefined || e[1] > top[1] ? e : top),
      undefined,
    );
    if (best) counts[best[0]] = (counts[best[0]] ?? 0) + 1;
  }
  return counts;
}

/** Rows in the champion's schema (what live clients send): its swagger document's example request. */
async function probeRows(champion: EndpointTarget, max: number): Promise<Record<string, unknown>[]> {
  const auth = { headers: { authorization: `Bearer ${champion.key}` } };
  const reply = await http(swaggerUriOf(champion), auth, 10_000, champion);
  const rows = reply.status === 200 ? rowsOf(exampleRequestOf(reply.json as Record<string, unknown>)) : undefined;
  if (!rows?.length) {
    throw new Error(
      `The champion's swagger document (${swaggerUriOf(champion)}, HTTP ${reply.status}) has no example rows to ` +
        'probe with; a deployment of amlops serves them, so check that the champion is healthy.',
    );
  }
  return rows.slice(0, max);
}

/** Predicted labels of the probe rows; {} when the deployment refuses them (its error shows in its metrics). */
async function predict(target: EndpointTarget, rows: Record<string, unknown>[]): Promise<Counts> {
  try {
    return labelCounts(await scoreProbabilities(target, rows));
  } catch {
    return {};
  }
}

export const checkRollout = ({ client }: ActivityDeps) =>
  async function checkRollout(input: CheckRolloutInput): Promise<LiveCheck> {
    const { endpointName, champion, challenger, windowSeconds, thresholds } = input;
    const live = await deploymentMetrics(client, endpointName, { deployments: [champion, challenger], windowSeconds });
    const liveOf = (d: string) => live.find((m) => m.deployment.toLowerCase() === d.toLowerCase());
    const targets = {
      champion: await deploymentTarget(client, endpointName, champion),
      challenger: await deploymentTarget(client, endpointName, challenger),
    };
    const rows = await probeRows(targets.champion, input.probeRows);
    const body = { Inputs: { data: rows.slice(0, 1) } };

    const measure = async (role: Role, deployment: string): Promise<DeploymentCheck> => {
      const short = Math.min(MAX_SYNTHETIC, thresholds.minRequests - (liveOf(deployment)?.requests ?? 0));
      if (short <= 0) return combine(deployment, role, liveOf(deployment));
      beat({ synthetic: deployment, requests: short });
      // Straight to the deployment (azureml-model-deployment header), in the champion's schema, as clients send.
      const bench = await runBenchmark({ ...targets[role], body, requests: short, connections: Math.min(4, short) });
      const synthetic = { requests: bench.requests, statusCounts: bench.statusCounts, p95Ms: bench.latencyMs.p95 };
      return combine(deployment, role, liveOf(deployment), synthetic);
    };
    const deployments = [await measure('champion', champion), await measure('challenger', challenger)];

    beat({ probe: rows.length });
    const predictions = {
      champion: await predict(targets.champion, rows),
      challenger: await predict(targets.challenger, rows),
    };
    const window = (d: DeploymentCheck, p: Counts): DeploymentWindow => ({
      deployment: d.deployment,
      requests: d.requests,
      clientErrors: d.status4xx,
      serverErrors: d.status5xx,
      p95LatencyMs: d.p95Ms ?? null,
      predictions: p,
    });
    const [ch, cl] = deployments as [DeploymentCheck, DeploymentCheck];
    const verdict = judgeRollout(
      window(ch, predictions.champion),
      window(cl, predictions.challenger),
      verdictThresholds(thresholds),
    );
    const answered = (c: Counts) => Object.keys(c).length > 0;
    const distance =
      answered(predictions.champion) && answered(predictions.challenger)
        ? distributionDistance(predictions.champion, predictions.challenger).jensenShannonDistance
        : undefined;
    return {
      at: new Date().toISOString(),
      stage: input.stage,
      windowSeconds,
      deployments,
      probe: {
        rows: rows.length,
        source: "probe: the champion's swagger example rows, scored through both deployments",
        ...predictions,
        ...(distance !== undefined ? { jsDistance: distance } : {}),
      },
      verdict: verdict.status,
      breaches: verdict.breaches,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
    };
  };

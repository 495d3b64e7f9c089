// The measured cases of safe rollout (issue #11), each one retraining cycle under a steady client load on the rig:
// what was sent and failed, how the endpoint's traffic moved, and the figures each case is judged by.
import { deploymentName, endpointName, type CycleRecord, type RetrainRequest } from '../../src/contract';
import type { LoadSample, SteadyLoadSummary } from '../../src/smoketest';
import { allTrafficOn, splitKey, type RolloutRig, type TrafficChange } from './rollout-rig';
import { sleep } from './helpers';

/** The client load of every case: about 50 single-row requests per second, as #11 asks. */
export const LOAD_RATE = 50;
/** Requests slower than this count as slow (#11: 0 requests over 1 s). */
export const SLOW_MS = 1000;

export interface CycleRun {
  project: string;
  cycle: number;
  record: CycleRecord;
  load: SteadyLoadSummary;
  /** Epoch ms the load started (its samples' atMs are relative to it). */
  loadStartedAt: number;
  /** The endpoint's traffic splits as they were seen, first one = before the retrain. */
  traffic: TrafficChange[];
  /** The champion's deployment (all traffic before the retrain). */
  champion?: string;
  /** PUTs of the endpoint itself (traffic changes) during the cycle, from the workspace's journal. */
  endpointPuts: number;
  /** Slow or failed client requests by the cycle step running when they were sent ('after' = after the record). */
  troubleByStep: Record<string, { slow: number; failed: number }>;
  /** When a fault was armed on the new deployment (epoch ms), if the case arms one. */
  faultArmedAt?: number;
  /** The new deployment's live share when the fault was armed. */
  faultArmedAtShare?: number;
}

export interface CycleRunOptions {
  overrides?: RetrainRequest['overrides'];
  /** Arms this fault on the new deployment once it takes live traffic (after the smoke test, as in production). */
  faultOnLiveTraffic?: { status?: 500 | 503; rate?: number; delayMs?: number };
  /** Called once the new deployment takes live traffic at a share below 100 (a canary bake has begun). */
  onCanary?: (change: TrafficChange) => void;
  /** Keeps the load running this long after the cycle's record (default 3 s). */
  tailMs?: number;
}

/** One retrain of `project` on `datasetUri` under the steady load, with the endpoint's traffic watched throughout. */
export async function runCycle(
  rig: RolloutRig,
  project: string,
  datasetUri: string,
  bodies: string[],
  opts: CycleRunOptions = {},
): Promise<CycleRun> {
  const ep = endpointName(project);
  const seqBefore = (await rig.ws.journal()).reduce((m, e) => Math.max(m, e.seq), 0);
  let champion: string | undefined;
  let faultArmedAt: number | undefined;
  let faultArmedAtShare: number | undefined;
  let arming: Promise<void> | undefined;
  let canarySeen = false;
  const watch = rig.watchTraffic(project, (change) => {
    if (champion === undefined) {
      champion = Object.entries(change.traffic).find(([, v]) => v === 100)?.[0] ?? '';
      return;
    }
    const fresh = Object.entries(change.traffic).find(([d, v]) => d !== champion && v > 0);
    if (!fresh) return;
    const [deployment, share] = fresh;
    if (opts.faultOnLiveTraffic && !arming) {
      const { status = 500, rate, delayMs } = opts.faultOnLiveTraffic;
      arming = rig.ws
        .setFaults([
          {
            deployment,
            endpoint: ep,
            status,
            ...(rate !== undefined ? { rate } : {}),
            ...(delayMs ? { delayMs } : {}),
          },
        ])
        .then(() => {
          faultArmedAt = Date.now();
          faultArmedAtShare = share;
        });
    }
    if (share < 100 && !canarySeen) {
      canarySeen = true;
      opts.onCanary?.(change);
    }
  });
  await waitUntil(() => champion !== undefined, 10_000);
  const { load, startedAt } = await rig.load(project, LOAD_RATE, bodies);
  try {
    const cycle = await rig.retrain(project, datasetUri, opts.overrides);
    const record = await rig.cycleRecord(project, cycle, 420_000);
    await arming;
    // A case that armed a fault watches a little longer, so a rollback after the record (or none) is seen.
    const until = Math.max(Date.now() + (opts.tailMs ?? 3000), (faultArmedAt ?? 0) + 12_000);
    await sleep(until - Date.now());
    const summary = await load.stop();
    const traffic = await watch.stop();
    const troubleByStep = troubleBySteps(load.samples, startedAt, record);
    await rig.ws.setFaults([]);
    const puts = (await rig.ws.journal({ method: 'PUT' })).filter(
      (e) => e.seq > seqBefore && !e.injected && e.status < 300 && endpointPath(e.path) === ep,
    );
    return {
      project,
      cycle,
      record,
      load: summary,
      loadStartedAt: startedAt,
      traffic,
      ...(champion ? { champion } : {}),
      endpointPuts: puts.length,
      troubleByStep,
      ...(faultArmedAt !== undefined ? { faultArmedAt, faultArmedAtShare } : {}),
    };
  } catch (err) {
    await load.stop().catch(() => undefined);
    await watch.stop().catch(() => undefined);
    await rig.ws.setFaults([]).catch(() => undefined);
    throw err;
  }
}

/** Which step each slow or failed request fell in: where a cycle costs its clients. */
function troubleBySteps(
  samples: readonly LoadSample[],
  startedAt: number,
  record: CycleRecord,
): Record<string, { slow: number; failed: number }> {
  const out: Record<string, { slow: number; failed: number }> = {};
  for (const s of samples) {
    const slow = s.ms > SLOW_MS;
    const failed = !(s.status >= 200 && s.status < 300);
    if (!slow && !failed) continue;
    const at = startedAt + s.atMs;
    const step =
      record.steps.find((t) => Date.parse(t.startedAt) <= at && at < Date.parse(t.endedAt ?? record.endedAt))?.step ??
      (at >= Date.parse(record.endedAt) ? 'after' : 'between steps');
    const counts = (out[step] ??= { slow: 0, failed: 0 });
    if (slow) counts.slow++;
    if (failed) counts.failed++;
  }
  return out;
}

/** The endpoint a PUT path addresses when it addresses an endpoint itself (not one of its deployments). */
function endpointPath(path: string): string | undefined {
  return /\/onlineEndpoints\/([^/?]+)$/.exec(path.split('?')[0])?.[1];
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`the endpoint's traffic could not be read within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The splits of a run as short text, e.g. "cycle-1:100 | cycle-1:100 mirror cycle-2:20 | ...". */
export function splitsText(changes: readonly TrafficChange[]): string {
  const part = (r: Record<string, number>) =>
    Object.entries(r)
      .filter(([, v]) => v > 0)
      .map(([d, v]) => `${d}:${v}`)
      .join(',');
  return changes
    .map((c) => `${part(c.traffic) || '-'}${part(c.mirrorTraffic) ? ` mirror ${part(c.mirrorTraffic)}` : ''}`)
    .join(' | ');
}

/** Bad deployment figures: breach (fault armed while the deployment takes traffic) to all traffic on the champion. */
export interface RollbackFigures {
  rolledBack: boolean;
  /** Seconds from the breach to all traffic back on the champion (as the traffic watch saw it, 0.1 s resolution). */
  breachToRollbackS?: number;
  /** The new deployment's live share when the breach began. */
  canarySharePercent?: number;
  /** Failed (or, for a slow fault, slow) client requests. */
  clientErrors: number;
  /** The canary share times the requests sent during detection: what a breach costs clients at most, on average. */
  canaryRequests?: number;
  /**
   * The bound the errors are held to: canaryRequests plus three standard deviations of the split's randomness (each
   * request goes to the canary with the share's probability), so a fault on every canary request still passes.
   */
  errorBound?: number;
}

export function rollbackFigures(run: CycleRun, slow: boolean): RollbackFigures {
  const clientErrors = slow ? run.load.slow + run.load.failed : run.load.failed;
  if (run.faultArmedAt === undefined || !run.champion) return { rolledBack: false, clientErrors };
  const back = allTrafficOn(run.traffic, run.champion, run.faultArmedAt);
  const share = run.faultArmedAtShare ?? 100;
  if (!back) return { rolledBack: false, canarySharePercent: share, clientErrors };
  const seconds = (back.at - run.faultArmedAt) / 1000;
  const expected = (share / 100) * LOAD_RATE * seconds;
  return {
    rolledBack: true,
    breachToRollbackS: Math.round(seconds * 10) / 10,
    canarySharePercent: share,
    clientErrors,
    canaryRequests: Math.round(expected * 10) / 10,
    errorBound: Math.ceil(expected + 3 * Math.sqrt(expected * (1 - share / 100))),
  };
}

/** True when no split is applied twice: the rollout went on from where it was instead of redoing a step. */
export function noRepeatedSplit(changes: readonly TrafficChange[]): boolean {
  const keys = changes.map(splitKey);
  return new Set(keys).size === keys.length;
}

export const newDeployment = (run: CycleRun): string => deploymentName(run.cycle);

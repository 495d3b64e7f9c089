// `amlops rollout [status]` and `amlops rollout pause|resume|promote|abort`: asked of, and sent to, the running
// cycle's own workflow, whose update validators have the last word (as `amlops approve` does).
import type { Client } from '@temporalio/client';
import {
  cycleStatusQuery,
  cycleWorkflowId,
  noRolloutRunning,
  projectWorkflowId,
  rolloutAbortUpdate,
  rolloutPauseUpdate,
  rolloutPromoteUpdate,
  rolloutResumeUpdate,
  statusQuery,
  type LiveCheck,
  type RolloutAction,
  type RolloutControl,
  type RolloutStatus,
} from '../contract';
import { onProject, onWorkflow, UserError } from './connect';
import { table } from './format';

const UPDATES = {
  pause: rolloutPauseUpdate,
  resume: rolloutResumeUpdate,
  promote: rolloutPromoteUpdate,
  abort: rolloutAbortUpdate,
} as const;

/** The running cycle's rollout; a UserError naming why there is none. */
export async function currentRollout(
  client: Client,
  project: string,
): Promise<{ cycle: number; rollout: RolloutStatus }> {
  const own = await onProject(project, () => client.workflow.getHandle(projectWorkflowId(project)).query(statusQuery));
  if (own.state !== 'running') throw new UserError(noRolloutRunning(project));
  const status = await onWorkflow(
    () => client.workflow.getHandle(cycleWorkflowId(project, own.cycle)).query(cycleStatusQuery),
    noRolloutRunning(project),
  );
  if (!status.rollout) throw new UserError(noRolloutRunning(project, own.cycle));
  return { cycle: own.cycle, rollout: status.rollout };
}

export async function controlRollout(
  client: Client,
  project: string,
  action: RolloutAction,
  control: RolloutControl,
): Promise<{ cycle: number; rollout: RolloutStatus }> {
  const own = await onProject(project, () => client.workflow.getHandle(projectWorkflowId(project)).query(statusQuery));
  if (own.state !== 'running') throw new UserError(noRolloutRunning(project));
  const handle = client.workflow.getHandle(cycleWorkflowId(project, own.cycle));
  const rollout = await onWorkflow(
    () => handle.executeUpdate(UPDATES[action], { args: [control] }),
    noRolloutRunning(project, own.cycle),
  );
  return { cycle: own.cycle, rollout };
}

const pct = (split: Record<string, number>) =>
  Object.entries(split)
    .map(([d, p]) => `${d} ${p}%`)
    .join(', ') || '-';

/** Seconds (or minutes) until a time, for "next step in". */
export function until(at: string | undefined, now = Date.now()): string {
  if (!at) return '-';
  const s = Math.max(0, Math.round((Date.parse(at) - now) / 1000));
  return s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
}

/** Per-deployment live metrics of a check, one row each. */
export function formatCheck(check: LiveCheck): string {
  const rate = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '-');
  const rows = [['deployment', 'role', 'requests', 'synthetic', '4xx', '5xx', 'p95']];
  for (const d of check.deployments) {
    rows.push([
      d.deployment,
      d.role,
      String(d.requests),
      String(d.synthetic),
      rate(d.status4xx, d.requests),
      rate(d.status5xx, d.requests),
      d.p95Ms === undefined ? '-' : `${Math.round(d.p95Ms)} ms`,
    ]);
  }
  const lines = [table(rows)];
  const p = check.probe;
  if (p) {
    const distance = p.jsDistance === undefined ? 'n/a' : p.jsDistance.toFixed(3);
    lines.push(`predictions (${p.source}; ${p.rows} rows): JS distance ${distance}`);
  }
  const breaches = check.breaches.map((b) => `${b.deployment} ${b.metric} ${b.value} > ${b.threshold}`);
  lines.push(`verdict ${check.verdict}${breaches.length ? `: ${breaches.join(', ')}` : ''}`);
  if (check.reason) lines.push(`  (${check.reason})`);
  return lines.join('\n');
}

export function formatRollout(cycle: number, r: RolloutStatus, now = Date.now()): string {
  const lines = [
    `cycle     ${cycle}: ${r.challenger} rolling out beside ${r.champion}`,
    `state     ${r.state}${r.stage ? ` at ${r.stage}` : ''}`,
    `traffic   ${pct(r.traffic)}${Object.keys(r.mirrorTraffic).length ? `; mirror ${pct(r.mirrorTraffic)}` : ''}`,
    `next step ${r.state === 'running' ? `in ${until(r.nextStepAt, now)}` : '-'}`,
    `steps     ${r.stages.map((s) => `${s.stage} (${s.checks} check${s.checks === 1 ? '' : 's'})`).join(' -> ')}`,
  ];
  if (r.syntheticRequests) lines.push(`synthetic ${r.syntheticRequests} requests (live traffic too thin to judge)`);
  if (r.reason) lines.push(`outcome   ${r.reason}`);
  const check = r.evidence ?? r.lastCheck;
  if (check) lines.push(`${r.evidence ? 'evidence' : 'last check'} (${check.stage}, ${check.at}):`, formatCheck(check));
  return lines.join('\n');
}

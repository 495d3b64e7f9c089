// Turns workflow status and cycle records into the text the CLI prints.
import type { CycleRecord, ModelEvaluation, StepTiming } from '../contract';
import type { LiveStatus } from './live-status';

const secs = (ms?: number) => (ms === undefined ? '' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const metric = (v?: number) => (v === undefined ? '-' : v.toFixed(4));
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;

/** The test slice's difference and its interval: "+0.0062 [-0.0010, +0.0130] 95%". */
function difference(e?: ModelEvaluation): string {
  if (e?.difference === undefined) return '-';
  const i = e.interval;
  return i
    ? `${signed(e.difference)} [${signed(i.low)}, ${signed(i.high)}] ${Math.round(i.confidence * 100)}%`
    : signed(e.difference);
}

/** Left-aligned columns; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (cell ?? '').padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatSteps(steps: StepTiming[], now = Date.now()): string {
  if (steps.length === 0) return '  (no steps yet)';
  const rows = [['step', 'state', 'time']];
  for (const s of steps) {
    const running = !s.endedAt && !s.error;
    const state = s.error ? `failed: ${s.error}` : running ? 'running' : 'done';
    rows.push([s.step, state, secs(s.ms ?? (running ? now - Date.parse(s.startedAt) : undefined))]);
  }
  return table(rows).replace(/^/gm, '  ');
}

export function formatStatus(s: LiveStatus): string {
  const c = s.champion;
  const champion = c
    ? `${c.model.name}:${c.model.version} ${c.model.primaryMetric} ${metric(c.model.metricValue)}` +
      ` at ${c.deployment.scoringUri}`
    : 'none yet';
  const lines = [
    `project   ${s.project}`,
    `state     ${s.state}${s.step ? ` (cycle ${s.cycle}, ${s.step}${s.activity ? `, ${s.activity}` : ''})` : ''}`,
    `cycles    ${s.cyclesCompleted} done; ${s.pendingTriggers} trigger(s) waiting; ${s.triggersRecorded} recorded`,
    `champion  ${champion}`,
    `best      ${metric(s.bestMetric)}`,
  ];
  if (s.approvalReason) lines.push(`approval  asked because ${s.approvalReason}`);
  const r = s.rollout;
  if (r) {
    const split = Object.entries(r.traffic)
      .map(([d, p]) => `${d} ${p}%`)
      .join(', ');
    const mirror = Object.entries(r.mirrorTraffic).map(([d, p]) => `, mirror ${d} ${p}%`);
    lines.push(`rollout   ${r.state}${r.stage ? ` at ${r.stage}` : ''}: ${split}${mirror.join('')} (amlops rollout)`);
  }
  if (s.lastError) lines.push(`error     ${s.lastError}`);
  lines.push(s.state === 'idle' ? 'last cycle:' : 'this cycle:', formatSteps(s.steps));
  return lines.join('\n');
}

export function formatCycle(r: CycleRecord): string {
  const lines = [`cycle ${r.cycle}: ${r.outcome} — ${r.reason}`];
  if (r.model) {
    lines.push(
      `  model       ${r.model.name}:${r.model.version} ${r.model.primaryMetric} ${metric(r.model.metricValue)}`,
    );
    const others = Object.entries(r.model.metrics ?? {}).filter(
      ([k]) => k !== r.model?.primaryMetric && k !== 'train_seconds',
    );
    if (others.length) lines.push(`  metrics     ${others.map(([k, v]) => `${k} ${metric(v)}`).join(', ')}`);
    if (r.model.topFeatures?.length)
      lines.push(
        `  top features ${r.model.topFeatures.map((f) => `${f.column} (${f.importance.toFixed(3)})`).join(', ')}`,
      );
  }
  const e = r.evaluation;
  if (e) {
    const champion = e.champion ? `, champion ${metric(e.champion.metric)}, difference ${difference(e)}` : '';
    lines.push(
      `  test slice  ${e.testRows} rows, ${e.primaryMetric}: challenger ${metric(e.challenger.metric)}${champion}`,
    );
  }
  if (r.deployment) lines.push(`  endpoint    ${r.deployment.scoringUri} (deployment ${r.deployment.deploymentName})`);
  if (r.smokeTest?.benchmark) {
    const b = r.smokeTest.benchmark;
    lines.push(
      `  benchmark   ${b.requestsPerSec.toFixed(0)} req/s, p50 ${b.p50Ms} ms,` +
        ` p95 ${b.p95Ms} ms, p99 ${b.p99Ms} ms, errors ${(b.errorRate * 100).toFixed(1)}%`,
    );
  }
  if (r.compatibility && !r.compatibility.compatible) lines.push(`  inputs      ${r.compatibility.reason}`);
  if (r.rollout) lines.push(`  rollout     ${r.rollout.outcome}: ${r.rollout.reason}`);
  if (r.pipeline?.triggerUrl) lines.push(`  retrain at  ${r.pipeline.triggerUrl}`);
  return lines.join('\n');
}

export function formatHistory(records: CycleRecord[]): string {
  if (records.length === 0) return 'No cycles yet.';
  // "metric" is the model's own validation metric; the test-slice columns are what the gate compared.
  const rows = [
    [
      'cycle',
      'outcome',
      'model',
      'metric',
      'test rows',
      'challenger',
      'champion',
      'difference',
      'triggers',
      'ended',
      'why',
    ],
  ];
  for (const r of records) {
    const e = r.evaluation;
    rows.push([
      String(r.cycle),
      r.outcome,
      r.model ? `${r.model.name}:${r.model.version}` : '-',
      metric(r.model?.metricValue),
      e ? String(e.testRows) : '-',
      metric(e?.challenger.metric),
      metric(e?.champion?.metric),
      difference(e),
      String(r.triggers.length),
      r.endedAt.replace('T', ' ').slice(0, 19),
      r.reason,
    ]);
  }
  // A rollback's evidence: the check that breached, per deployment.
  const evidence = records.flatMap((r) => {
    const e = r.rollout?.evidence;
    if (!e) return [];
    const each = e.deployments.map(
      (d) =>
        `  ${d.deployment} (${d.role}): ${d.requests} requests (${d.synthetic} synthetic), ` +
        `4xx ${d.status4xx}, 5xx ${d.status5xx}, p95 ${d.p95Ms === undefined ? '-' : `${Math.round(d.p95Ms)} ms`}`,
    );
    return [`cycle ${r.cycle} rolled back at ${e.stage} on ${e.at}:`, ...each];
  });
  return [table(rows), ...evidence].join('\n');
}

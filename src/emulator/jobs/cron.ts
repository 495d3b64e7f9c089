// Next fire times for schedule triggers: 5-field cron expressions and Azure's Recurrence
// (frequency x interval from startTime).
const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

/** Parses one cron field into the set of allowed values; undefined when malformed. */
function field(text: string, [lo, hi]: [number, number]): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === '*' ? lo : Number(m[2]);
    const to = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] ? hi : from;
    const step = m[4] ? Number(m[4]) : 1;
    if (from < lo || to > hi || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export type CronSpec = Set<number>[];

export function parseCron(expression: string): CronSpec | string {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return 'a cron expression has 5 fields: minute hour day-of-month month day-of-week';
  const sets = parts.map((p, i) => field(p, RANGES[i]));
  const bad = sets.findIndex((s) => !s);
  if (bad >= 0) return `field ${bad + 1} ('${parts[bad]}') is not valid cron`;
  return sets as CronSpec;
}

/** The first minute strictly after `after` (UTC) matching the cron spec; scans at most a year. */
export function nextCron(spec: CronSpec, after: Date): Date | undefined {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    if (
      spec[3].has(t.getUTCMonth() + 1) &&
      spec[2].has(t.getUTCDate()) &&
      spec[4].has(t.getUTCDay()) &&
      spec[1].has(t.getUTCHours()) &&
      spec[0].has(t.getUTCMinutes())
    )
      return t;
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return undefined;
}

const PERIOD_MS: Record<string, number> = {
  Minute: 60_000,
  Hour: 3_600_000,
  Day: 86_400_000,
  Week: 604_800_000,
  Month: 2_592_000_000,
};

/** Next recurrence strictly after `after`: startTime + k * interval * frequency. Month is approximated as 30 days. */
export function nextRecurrence(frequency: string, interval: number, start: Date, after: Date): Date {
  const period = (PERIOD_MS[frequency] ?? 86_400_000) * interval;
  if (after < start) return start;
  const k = Math.floor((after.getTime() - start.getTime()) / period) + 1;
  return new Date(start.getTime() + k * period);
}

// Whether a challenger model takes the requests live clients send to the champion: its input columns and classes
// against the champion's, with the columns recent live requests actually carried as the evidence.

/** One input column as the scoring server treats it. */
export interface InputColumnSpec {
  name: string;
  type: string;
  /** False for a column a row may leave out (scored as missing). */
  required: boolean;
}

/** A deployed model's input contract: its columns and the classes it predicts. */
export interface ModelInputs {
  columns: readonly InputColumnSpec[];
  classes: readonly string[];
}

/** Recent live scoring requests to the champion: how many were read, and how many left out each column. */
export interface LiveColumnPresence {
  requests: number;
  /** Column name -> requests that lacked it (a column not listed: none lacked it). */
  lacking: Readonly<Record<string, number>>;
}

/** One way the challenger would refuse or change what clients get; counts are of the recent live requests read. */
export type CompatibilityFinding =
  /** The challenger requires a column these requests lack (the champion does not take it, or took it as optional). */
  | { kind: 'missing-column'; column: string; liveRequestsLacking: number; of: number }
  /** The challenger does not know a column these requests send: it would refuse them as an unknown column. */
  | { kind: 'dropped-column'; column: string; liveRequestsSending: number; of: number }
  /** The column's type differs: values these requests send may be refused or read differently. */
  | { kind: 'type-change'; column: string; from: string; to: string; liveRequestsSending: number; of: number }
  /** The champion predicts this class and the challenger cannot. */
  | { kind: 'lost-class'; className: string };

export interface CompatibilityVerdict {
  compatible: boolean;
  findings: CompatibilityFinding[];
  /** One sentence: every finding with its column or class and its count of live requests. */
  reason: string;
}

function checkPresence(live: LiveColumnPresence): void {
  if (!Number.isInteger(live.requests) || live.requests < 0) {
    throw new Error(`live requests must be a whole number >= 0, got ${live.requests}`);
  }
  for (const [column, n] of Object.entries(live.lacking)) {
    if (!Number.isInteger(n) || n < 0 || n > live.requests) {
      throw new Error(
        `live requests lacking '${column}' must be a whole number from 0 to ${live.requests} (the requests read), got ${n}`,
      );
    }
  }
}

/**
 * The findings, in the challenger's column order, then the champion's dropped columns, then lost classes:
 * - missing-column: the challenger requires a column the champion does not take (no working client sends it: the
 *   champion refuses unknown columns, so all live requests lack it), or takes as optional while some live requests
 *   leave it out or none were seen to send it;
 * - dropped-column: the champion takes a column the challenger does not know, which clients send (the champion
 *   requires it, or some live requests carry it);
 * - type-change: both take the column with different types;
 * - lost-class: a class of the champion's the challenger cannot predict.
 * A column the challenger takes as optional is never missing: clients that leave it out are scored with it missing.
 */
export function checkInputCompatibility(
  champion: ModelInputs,
  challenger: ModelInputs,
  live: LiveColumnPresence,
): CompatibilityVerdict {
  checkPresence(live);
  const of = live.requests;
  const lacking = (column: string): number => live.lacking[column] ?? 0;
  const before = new Map(champion.columns.map((c) => [c.name, c]));
  const after = new Set(challenger.columns.map((c) => c.name));
  const findings: CompatibilityFinding[] = [];

  for (const col of challenger.columns) {
    const old = before.get(col.name);
    if (!old) {
      if (col.required) findings.push({ kind: 'missing-column', column: col.name, liveRequestsLacking: of, of });
      continue;
    }
    if (col.required && !old.required && (lacking(col.name) > 0 || of === 0)) {
      findings.push({ kind: 'missing-column', column: col.name, liveRequestsLacking: lacking(col.name), of });
    }
    if (old.type !== col.type) {
      const sending = of - lacking(col.name);
      findings.push({
        kind: 'type-change',
        column: col.name,
        from: old.type,
        to: col.type,
        liveRequestsSending: sending,
        of,
      });
    }
  }
  for (const old of champion.columns) {
    const sending = of - lacking(old.name);
    if (!after.has(old.name) && (old.required || sending > 0)) {
      findings.push({ kind: 'dropped-column', column: old.name, liveRequestsSending: sending, of });
    }
  }
  const predictable = new Set(challenger.classes);
  for (const className of champion.classes) {
    if (!predictable.has(className)) findings.push({ kind: 'lost-class', className });
  }
  return { compatible: findings.length === 0, findings, reason: describeFindings(findings, of) };
}

/** "which 3 of 40 recent live requests lack", or what is known when no live request was read. */
const counted = (n: number, of: number, verb: string): string =>
  of === 0 ? 'no recent live requests were read to count' : `which ${n} of ${of} recent live requests ${verb}`;

function describeFinding(f: CompatibilityFinding): string {
  switch (f.kind) {
    case 'missing-column':
      return `requires column '${f.column}', ${counted(f.liveRequestsLacking, f.of, 'lack')}`;
    case 'dropped-column':
      return `does not take column '${f.column}', ${counted(f.liveRequestsSending, f.of, 'send')}`;
    case 'type-change':
      return `reads column '${f.column}' as ${f.to} instead of ${f.from}, ${counted(f.liveRequestsSending, f.of, 'send')}`;
    case 'lost-class':
      return `cannot predict class '${f.className}', which the champion predicts`;
  }
}

/** The reason a cycle shows: what would break for clients, and what to do about it. */
function describeFindings(findings: CompatibilityFinding[], of: number): string {
  if (findings.length === 0) {
    return `the challenger takes every request the champion takes (${of} recent live requests read)`;
  }
  const advice = findings.some((f) => f.kind === 'missing-column')
    ? '; allow new columns as optional (optionalColumns), or have clients send them first'
    : '';
  return `the challenger ${findings.map(describeFinding).join('; ')}${advice}`;
}

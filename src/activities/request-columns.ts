// Reads what live clients send from a deployment's request records (its getLogs lines): scoring requests, and how
// many left out each input column. Names only: the records hold no values.
import type { LiveColumnPresence } from '../monitoring';

interface RequestRecord {
  event?: unknown;
  route?: unknown;
  status?: unknown;
  missingColumns?: unknown;
}

/** A log line's JSON record; lines may carry a prefix (a container runtime's timestamp) or be no JSON at all. */
function recordOf(line: string): RequestRecord | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(line.slice(start));
    return typeof parsed === 'object' && parsed !== null ? (parsed as RequestRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Counts the scoring requests whose columns are known: those scored (2xx), and those refused for the columns they
 * lacked (their record names them). Requests refused before their rows were read (a wrong key, a body that is not
 * JSON) say nothing about columns and are left out.
 */
export function columnPresence(logText: string): LiveColumnPresence {
  let requests = 0;
  const lacking: Record<string, number> = {};
  for (const line of logText.split('\n')) {
    const r = recordOf(line);
    if (!r || r.event !== 'request' || r.route !== '/score' || typeof r.status !== 'number') continue;
    const missing = Array.isArray(r.missingColumns) ? r.missingColumns.filter((c) => typeof c === 'string') : [];
    const scored = r.status >= 200 && r.status < 300;
    if (!scored && missing.length === 0) continue;
    requests++;
    for (const column of new Set(missing)) lacking[column] = (lacking[column] ?? 0) + 1;
  }
  return { requests, lacking };
}

// Durations as the settings write them ('10 seconds', '5m', '7 days') in milliseconds: pure, for workflow arithmetic.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration the settings schema accepted; throws, naming the value, on anything else. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration such as "30s", "10 minutes" or "7 days"`);
  const unit = m[2] as string;
  // Long forms start with their short unit's letter ('seconds' -> s); 'ms' is the one two-letter short form.
  const size = UNIT_MS[unit] ?? (UNIT_MS[unit[0] as string] as number);
  return Math.round(Number(m[1]) * size);
}

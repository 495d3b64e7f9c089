// ISO-8601 durations (PT20M, P1DT2H, PT0.5S) as Azure ML uses them in limit and idle settings.
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds in an ISO-8601 duration, or undefined when the text is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [d, h, min, s] = m.slice(1).map((x) => (x ? Number(x) : 0));
  return d * 86_400 + h * 3_600 + min * 60 + s;
}

export function isDuration(text: string): boolean {
  return parseDurationSeconds(text) !== undefined;
}

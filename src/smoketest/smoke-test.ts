// Smoke test of a scoring endpoint: health, swagger, known rows, wrong key -> 401, malformed -> 400;
// pass/fail per check.
import SwaggerParser from '@apidevtools/swagger-parser';
import { call, healthUriOf, score, swaggerUriOf, type EndpointTarget, type HttpReply } from './endpoint';
import { classesOf, exampleRequestOf, predictionsOf, rowsOf, type Prediction } from './replies';
import { textTable, writeReport, type ReportFiles } from './report';

export interface SmokeTestOptions extends EndpointTarget {
  /** Rows to score; default: the swagger document's example request. */
  rows?: Array<Record<string, unknown>>;
  /** Allowed labels; default: the label enum the swagger document declares. */
  expectedClasses?: string[];
  /** Exact labels the rows must get, when known. */
  expectedLabels?: string[];
  /** Where to write data.json, smoke-test.json and smoke-test.txt. */
  outDir?: string;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  reason: string;
  durationMs: number;
}

export interface SmokeTestResult {
  passed: boolean;
  scoringUri: string;
  startedAt: string;
  checks: CheckResult[];
  files?: ReportFiles;
}

type Doc = Record<string, unknown>;

class CheckFailed extends Error {}
const fail = (reason: string): never => {
  throw new CheckFailed(reason);
};
const brief = (r: HttpReply): string => `HTTP ${r.status}: ${r.text.slice(0, 200)}`;

/** Runs every check (a failed one does not stop the rest) and reports each one's reason. */
export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const startedAt = new Date().toISOString();
  const checks: CheckResult[] = [];
  const check = async (name: string, run: () => Promise<string>): Promise<boolean> => {
    const t0 = performance.now();
    let passed = false;
    let reason: string;
    try {
      reason = await run();
      passed = true;
    } catch (err) {
      reason = err instanceof CheckFailed ? err.message : `error: ${(err as Error).message}`;
    }
    checks.push({ name, passed, reason, durationMs: Math.round((performance.now() - t0) * 10) / 10 });
    return passed;
  };

  await check('health', async () => {
    const r = await call(
      healthUriOf(options),
      { headers: { authorization: `Bearer ${options.key}` } },
      options.timeoutMs,
      options,
    );
    if (r.status !== 200) fail(`GET ${healthUriOf(options)} answered ${brief(r)}; expected 200 "Healthy"`);
    const body = typeof r.json === 'string' ? r.json : r.text;
    if (body.trim() !== 'Healthy')
      fail(`GET ${healthUriOf(options)} answered ${JSON.stringify(r.text.slice(0, 80))}; expected "Healthy"`);
    return `200 Healthy in ${r.ms.toFixed(1)} ms`;
  });

  let doc: Doc | undefined;
  await check('swagger', async () => {
    const uri = swaggerUriOf(options);
    const r = await call(uri, { headers: { authorization: `Bearer ${options.key}` } }, options.timeoutMs, options);
    if (r.status !== 200 || typeof r.json !== 'object' || r.json === null)
      fail(`GET ${uri} answered ${brief(r)}; expected a JSON OpenAPI document`);
    const fetched = r.json as Doc;
    try {
      // validate() dereferences in place; keep the fetched document as served.
      await SwaggerParser.validate(structuredClone(fetched) as never);
    } catch (err) {
      fail(`${uri} is not a valid OpenAPI document: ${(err as Error).message}`);
    }
    doc = fetched;
    const paths = Object.keys((fetched.paths as Doc | undefined) ?? {});
    if (!paths.some((p) => /\/score\/?$/.test(p)))
      fail(`${uri} documents no /score operation (paths: ${paths.join(', ')})`);
    return `valid ${typeof fetched.swagger === 'string' ? `Swagger ${fetched.swagger}` : `OpenAPI ${String(fetched.openapi)}`} with POST /score`;
  });

  const example = doc ? exampleRequestOf(doc) : undefined;
  const requestBody: unknown = options.rows
    ? { Inputs: { data: options.rows }, GlobalParameters: { method: 'predict' } }
    : example;
  const rows = rowsOf(requestBody);
  const classes = options.expectedClasses ?? (doc ? classesOf(doc) : undefined);
  const bodyText = requestBody === undefined ? '' : JSON.stringify(requestBody);

  const scoreKnownRows = async (): Promise<string> => {
    if (!rows || rows.length === 0)
      fail('no rows to score: pass rows, or serve a swagger document with an example request');
    const r = await score(options, bodyText);
    if (r.status !== 200) fail(`scoring ${rows!.length} known rows answered ${brief(r)}`);
    const predictions = predictionsOf(r.json);
    if (!predictions)
      fail(
        `reply has no predictions list (expected {"Results":[...]}, {"result":[...]} or a list): ${r.text.slice(0, 200)}`,
      );
    if (predictions!.length !== rows!.length) fail(`sent ${rows!.length} rows, got ${predictions!.length} predictions`);
    const labels = predictions!.map((p: Prediction) => (typeof p === 'object' ? JSON.stringify(p) : String(p)));
    if (classes) {
      const unknown = labels.filter((l) => !classes.includes(l));
      if (unknown.length > 0)
        fail(
          `labels ${JSON.stringify([...new Set(unknown)])} are not among the model's classes ${JSON.stringify(classes)}`,
        );
    }
    if (options.expectedLabels) {
      const wrong = labels.findIndex((l, i) => l !== options.expectedLabels![i]);
      if (wrong >= 0)
        fail(
          `row ${wrong}: got label ${JSON.stringify(labels[wrong])}, expected ${JSON.stringify(options.expectedLabels[wrong])}`,
        );
    }
    return `${rows!.length} rows -> ${JSON.stringify(labels.slice(0, 5))}${labels.length > 5 ? '...' : ''} in ${r.ms.toFixed(1)} ms${classes ? `; all in ${JSON.stringify(classes)}` : ''}`;
  };
  await check('score', scoreKnownRows);

  await check('wrong key is refused', async () => {
    const r = await score(options, bodyText || '{}', `${options.key}x`);
    if (r.status !== 401) fail(`a wrong key got ${brief(r)}; expected 401: the endpoint may not be authenticating`);
    const none = await score(options, bodyText || '{}', null);
    if (none.status !== 401) fail(`no key got ${brief(none)}; expected 401`);
    return 'wrong key and no key both got 401';
  });

  await check('malformed request is rejected', async () => {
    const invalidJson = await score(options, '{"Inputs": {"data": [');
    if (invalidJson.status !== 400) fail(`invalid JSON got ${brief(invalidJson)}; expected 400`);
    const first = rows?.[0];
    const column = first ? Object.keys(first).find((k) => typeof first[k] === 'number') : undefined;
    if (first && column) {
      const body = JSON.stringify({
        Inputs: { data: [{ ...first, [column]: 'not-a-number' }] },
        GlobalParameters: { method: 'predict' },
      });
      const badRow = await score(options, body);
      if (badRow.status !== 400) fail(`a text value in numeric column '${column}' got ${brief(badRow)}; expected 400`);
      const message = (badRow.json as { message?: unknown } | undefined)?.message;
      if (typeof message !== 'string') fail(`the 400 reply has no {"message": ...}: ${badRow.text.slice(0, 200)}`);
      return `invalid JSON and a bad value in '${column}' both got 400 (${JSON.stringify(message)})`;
    }
    return 'invalid JSON got 400';
  });

  await check('still serving after bad requests', async () => {
    const r = await score(options, bodyText);
    if (r.status !== 200) fail(`a good request after the bad ones got ${brief(r)}`);
    return `200 in ${r.ms.toFixed(1)} ms`;
  });

  const result: SmokeTestResult = {
    passed: checks.every((c) => c.passed),
    scoringUri: options.scoringUri,
    startedAt,
    checks,
  };
  if (options.outDir) result.files = writeReport(options.outDir, 'smoke-test', bodyText, result, smokeTestText(result));
  return result;
}

/** A short human-readable report. */
export function smokeTestText(result: SmokeTestResult): string {
  const rows = result.checks.map((c) => [c.passed ? 'PASS' : 'FAIL', c.name, `${c.durationMs}`, c.reason]);
  return `Smoke test of ${result.scoringUri} at ${result.startedAt}: ${result.passed ? 'PASSED' : 'FAILED'}\n\n${textTable(['result', 'check', 'ms', 'reason'], rows)}`;
}

// CLI commands on a project's deployed endpoint: score (endpoint.py), bench (benchmark.sh), swagger (swagger.sh +
// serve.py), logs (logs.py).
import type { Command } from 'commander';
import Fastify from 'fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv, tableRows } from '../automl';
import { AzureMLClient, azureTargetFromEnv, localTargetFromDir } from '../azureml';
import type { Config } from '../config';
import { registerSwaggerUi } from '../serving/swagger-ui';
import { benchmarkText, call, exampleRequestOf, predictionsOf, runBenchmark } from '../smoketest';
import { endpointName } from '../contract';
import { UserError } from './connect';
import { table } from './format';
import { workspaceDir } from '../runtime';

export interface ProjectEndpoint {
  client: AzureMLClient;
  endpointName: string;
  scoringUri: string;
  swaggerUri: string;
  /** Kept in memory for the command's calls; printed only when the user asks for it. */
  key: string;
  ca?: string;
  traffic: Record<string, number>;
}

/** The project's endpoint, from the workspace the worker uses (Azure, or the local one `npm start` runs). */
export async function openEndpoint(config: Config): Promise<ProjectEndpoint> {
  const target = azureTargetFromEnv() ?? localTargetFromDir(workspaceDir(config));
  const client = new AzureMLClient(target);
  const name = endpointName(config.project);
  let endpoint;
  try {
    endpoint = await client.arm.onlineEndpoints.get(client.rg, client.ws, name);
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) {
      throw new UserError(
        `Project ${config.project} has no endpoint yet (${name}); ` +
          "it is created by the first cycle's deployModel step. See `amlops status`.",
      );
    }
    const reason = (err as Error).message.split('\n')[0];
    throw new UserError(`Could not reach the workspace to read endpoint ${name}: ${reason}. Is \`npm start\` running?`);
  }
  const keys = await client.arm.onlineEndpoints.listKeys(client.rg, client.ws, name);
  const scoringUri = endpoint.properties.scoringUri;
  if (!scoringUri || !keys.primaryKey) {
    throw new UserError(`Endpoint ${name} is not ready (no scoring URI or key yet).`);
  }
  return {
    client,
    endpointName: name,
    scoringUri,
    swaggerUri: endpoint.properties.swaggerUri ?? scoringUri.replace(/\/score$/, '/swagger.json'),
    key: keys.primaryKey,
    ...(target.caCertificate ? { ca: target.caCertificate } : {}),
    traffic: endpoint.properties.traffic ?? {},
  };
}

/** A call to the endpoint with its key (and the local workspace's CA), through the smoke-test client. */
function http(ep: ProjectEndpoint, url: string, init: { method?: string; body?: string } = {}) {
  const headers = { authorization: `Bearer ${ep.key}`, 'content-type': 'application/json' };
  return call(url, { ...init, headers }, 30_000, ep.ca ? { ca: ep.ca } : {});
}

/** Rows to score from a CSV (header line first) or JSON (a list of objects, or any of the three request shapes). */
export function readRows(file: string, target?: string): Record<string, unknown>[] {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch {
    throw new UserError(`Cannot read ${file}: give a CSV or JSON file of rows.`, 2);
  }
  if (/\.json$/i.test(file)) {
    let json: unknown;
    try {
      json = JSON.parse(text.toString('utf8'));
    } catch (err) {
      throw new UserError(`${file} is not valid JSON: ${(err as Error).message}`, 2);
    }
    const j = json as { data?: unknown; Inputs?: { data?: unknown } };
    const rows = Array.isArray(json) ? json : (j.Inputs?.data ?? j.data);
    if (!Array.isArray(rows)) {
      throw new UserError(
        `${file} holds no rows: expected a list of objects, {"data":[...]} or {"Inputs":{"data":[...]}}.`,
        2,
      );
    }
    return rows as Record<string, unknown>[];
  }
  // The target column is what the endpoint predicts: leave it out of the request.
  return tableRows(parseCsv(text, file)).map((row) =>
    Object.fromEntries(Object.entries(row).filter(([c]) => c !== target)),
  );
}

export function addEndpointCommands(
  program: Command,
  withCommon: (c: Command) => Command,
  configFrom: (flags: Record<string, unknown>) => Config,
  out: (line: string) => void,
): void {
  withCommon(program.command('score'))
    .description("score rows with the project's endpoint (like the seed's endpoint.py)")
    .option('-f, --file <csv|json>', 'rows to score (default: the example rows of the endpoint swagger document)')
    .option('-n, --rows <n>', 'score only the first N rows', '5')
    .option('--proba', 'print class probabilities instead of labels')
    .option('--save <file>', 'also write the request body (data.json, for `amlops bench` or ab)')
    .action(async (flags: Record<string, unknown>) => {
      const config = configFrom(flags);
      const ep = await openEndpoint(config);
      let rows: Record<string, unknown>[];
      if (flags.file) rows = readRows(flags.file as string, config.settings.target);
      else {
        const swagger = await http(ep, ep.swaggerUri);
        const example = exampleRequestOf(JSON.parse(swagger.text) as Record<string, unknown>) as
          { Inputs?: { data?: Record<string, unknown>[] } } | undefined;
        rows = example?.Inputs?.data ?? [];
      }
      rows = rows.slice(0, Number(flags.rows));
      if (rows.length === 0) throw new UserError('No rows to score.', 2);
      const body = JSON.stringify({
        Inputs: { data: rows },
        GlobalParameters: { method: flags.proba ? 'predict_proba' : 'predict' },
      });
      if (flags.save) writeFileSync(flags.save as string, body);
      const reply = await http(ep, ep.scoringUri, { method: 'POST', body });
      if (reply.status !== 200) {
        throw new UserError(`The endpoint answered HTTP ${reply.status}: ${reply.text.slice(0, 500)}`);
      }
      const predictions = predictionsOf(JSON.parse(reply.text)) ?? [];
      out(`POST ${ep.scoringUri} (${rows.length} rows)`);
      const cells = predictions.map((p, i) => [String(i + 1), typeof p === 'object' ? JSON.stringify(p) : String(p)]);
      out(table([['row', flags.proba ? 'probabilities' : 'prediction'], ...cells]));
    });

  withCommon(program.command('bench'))
    .description("load-test the project's endpoint (like the seed's benchmark.sh with ab)")
    .option('-n, --requests <n>', 'number of requests', '200')
    .option('-c, --connections <n>', 'concurrent connections', '8')
    .option('--out <dir>', 'write data.json and the report here')
    .action(async (flags: Record<string, unknown>) => {
      const config = configFrom(flags);
      const ep = await openEndpoint(config);
      const swagger = await http(ep, ep.swaggerUri);
      const body = exampleRequestOf(JSON.parse(swagger.text) as Record<string, unknown>);
      const result = await runBenchmark({
        scoringUri: ep.scoringUri,
        key: ep.key,
        ...(ep.ca ? { ca: ep.ca } : {}),
        body,
        requests: Number(flags.requests),
        connections: Number(flags.connections),
        thresholds: {
          maxP95Ms: config.settings.benchmark.maxP95Ms,
          maxErrorRate: config.settings.benchmark.maxErrorRate,
        },
        ...(flags.out ? { outDir: flags.out as string } : {}),
      });
      out(benchmarkText(result));
    });

  withCommon(program.command('logs'))
    .description("show a deployment's logs (like the seed's logs.py)")
    .option('--deployment <name>', 'deployment (default: the one serving traffic)')
    .option('--tail <n>', 'last N lines', '50')
    .action(async (flags: Record<string, unknown>) => {
      const config = configFrom(flags);
      const ep = await openEndpoint(config);
      const serving = Object.entries(ep.traffic).sort((a, b) => b[1] - a[1])[0]?.[0];
      const deployment = (flags.deployment as string | undefined) ?? serving;
      if (!deployment) {
        throw new UserError(
          `Endpoint ${ep.endpointName} sends no traffic to any deployment yet; name one with --deployment.`,
        );
      }
      const { rg, ws } = ep.client;
      const logs = await ep.client.arm.onlineDeployments.getLogs(rg, ws, ep.endpointName, deployment, {
        containerType: 'InferenceServer',
        tail: Number(flags.tail),
      });
      out(logs.content ?? '(no log lines)');
    });

  withCommon(program.command('swagger'))
    .description(
      "serve the endpoint's swagger.json with Swagger UI on localhost; Try it out goes to the endpoint with its key",
    )
    .option('--port <n>', 'local port', '9000')
    .action(async (flags: Record<string, unknown>) => {
      const config = configFrom(flags);
      const ep = await openEndpoint(config);
      const port = Number(flags.port);
      const local = `http://127.0.0.1:${port}`;
      const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
      registerSwaggerUi(app);
      app.get('/', async (_req, reply) => reply.redirect('/swagger/'));
      app.get('/swagger.json', async (_req, reply) => {
        const doc = await http(ep, ep.swaggerUri);
        if (doc.status !== 200) {
          return reply.code(502).send({ message: `The endpoint's swagger.json answered HTTP ${doc.status}` });
        }
        // Point "Try it out" at this proxy: the browser needs no key, no CORS and no trust in a self-signed
        // certificate.
        const json = JSON.parse(doc.text) as Record<string, unknown>;
        json.host = `127.0.0.1:${port}`;
        json.schemes = ['http'];
        json.basePath = '/';
        delete json.servers;
        return json;
      });
      app.post('/score', async (req, reply) => {
        const scored = await http(ep, ep.scoringUri, { method: 'POST', body: JSON.stringify(req.body) });
        return reply.code(scored.status).type('application/json').send(scored.text);
      });
      await app.listen({ host: '127.0.0.1', port });
      out(
        `Swagger UI for ${ep.scoringUri}: ${local}/swagger/ (swagger.json at ${local}/swagger.json). Ctrl-C to stop.`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => void app.close().then(resolve)));
    });
}

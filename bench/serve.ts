// Scoring-server benchmark: a bank-marketing model served by its own process on one core, loaded by autocannon from
// another.
//
// npm run bench:serve  (env: BENCH_MODEL_PATH=artifact.json or BENCH_TRAIN_SECONDS=60 BENCH_NODES=2,
// BENCH_PRIORITY=true, BENCH_SECONDS=10, BENCH_CONNECTIONS=32, BENCH_RUNS=3, BENCH_BASELINE=true, BENCH_TELEMETRY=true,
// BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof")
// Each single-row run is repeated (BENCH_RUNS) and alternated with the same load on a bare node:http server
// (BENCH_BASELINE), the floor of the machine the bench runs on.
// Targets: single-row requests >= 5,000 req/s, p99 < 5 ms, zero errors; a 1,000-row request < 20 ms server time.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadModel, parseCsv, tableRows, type EngineModelJSON, type ModelArtifact } from '../src/automl';
import { runExperiment } from '../src/training';
import { exampleRowsFor, readDeploymentLogs } from '../src/serving';
import { runBenchmark, type BenchmarkResult } from '../src/smoketest';
import { textTable } from '../src/smoketest/report';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'serving', 'main.js');
const BARE = join(ROOT, 'dist', 'bench', 'bare-http-server.js');
const CSV = join(ROOT, 'data', 'bankmarketing_train.csv');
const KEY = `bench-${Math.random().toString(36).slice(2)}-0123456789`;
const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const load = (): string =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

/** User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function taskset(args: string[]): boolean {
  try {
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface PinnedServer {
  child: ChildProcess;
  url: string;
}

interface SingleRowRun {
  result: BenchmarkResult;
  serverCpuSeconds: number;
  cpuPerRequestUs: number;
  loaderCpuSeconds: number;
  loadBefore: string;
  loadAfter: string;
}

/** Spawns a server process and resolves with its URL once it prints its `{"event":"listening"}` line. */
function startServer(command: string[], serverEnv: Record<string, string>): Promise<PinnedServer> {
  const child = spawn(command[0] as string, command.slice(1), {
    env: { PATH: process.env.PATH, ...serverEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise<PinnedServer>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"event":"listening"')) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once('exit', (code) => reject(new Error(`${command.at(-1)} exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const outDir = join(ROOT, 'bench-results', 'serve');
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'amlops-bench-serve-'));

  console.log(`load before training: ${load()}`);
  // Read once: the table to train on, its size for the report, its last 1,000 rows for the large request.
  const csvText = readFileSync(CSV, 'utf8');
  const csvLines = csvText.trimEnd().split('\n');
  const trainRows = csvLines.length - 1;
  let artifact: ModelArtifact;
  if (process.env.BENCH_MODEL_PATH) {
    artifact = JSON.parse(readFileSync(process.env.BENCH_MODEL_PATH, 'utf8')) as ModelArtifact;
    console.log(`model ${artifact.algorithm} from ${process.env.BENCH_MODEL_PATH}`);
  } else {
    // The model a default cycle deploys: AutoML with the project's default 1-minute budget on a 2-node
    // cluster, ensembles allowed (BENCH_TRAIN_SECONDS / BENCH_NODES to change).
    const trainSeconds = env('BENCH_TRAIN_SECONDS', 60);
    const t0 = Date.now();
    const trained = await runExperiment({
      table: parseCsv(csvText),
      settings: { target: 'y', timeoutSeconds: trainSeconds },
      nodes: env('BENCH_NODES', 2),
    });
    artifact = trained.artifact;
    const took = ((Date.now() - t0) / 1000).toFixed(1);
    const { AUC_weighted: auc, accuracy } = trained.best.metrics;
    console.log(
      `AutoML (${trainSeconds} s) chose ${artifact.algorithm} on ${trainRows} rows in ${took} s: ` +
        `AUC_weighted ${auc.toFixed(4)}, accuracy ${accuracy.toFixed(4)}`,
    );
  }
  const members = (artifact.model as EngineModelJSON).members ?? [];
  const trees = members.reduce((n, m) => n + ((m.params as { trees?: unknown[] }).trees?.length ?? 0), 0);
  const memberList = members.map((m) => `${m.algorithm} x${m.weight.toFixed(2)}`).join(', ');
  console.log(`model members: ${memberList}; ${trees} trees`);
  const modelPath = join(work, 'model.json');
  writeFileSync(modelPath, JSON.stringify(artifact));
  console.log(`model artifact ${modelPath} (reuse with BENCH_MODEL_PATH)`);
  const keyFile = join(work, 'keys.json');
  writeFileSync(keyFile, JSON.stringify({ primaryKey: KEY, secondaryKey: `${KEY}-2` }));
  const model = loadModel(artifact);

  // Servers on core 0, this process (the load generator) on core 1.
  const pinned = taskset(['-cp', '1', String(process.pid)]);
  const telemetry = (process.env.BENCH_TELEMETRY ?? 'true') === 'true';
  // BENCH_PRIORITY=true runs both processes at nice -10, so other work on a shared machine disturbs the
  // measurement less (reported with the results; root needed).
  const priority = process.env.BENCH_PRIORITY === 'true';
  if (priority) execFileSync('renice', ['-n', '-10', '-p', String(process.pid)], { stdio: 'ignore' });
  // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under this load
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const startPinned = (script: string, serverEnv: Record<string, string>): Promise<PinnedServer> =>
    startServer(
      [
        ...(priority ? ['nice', '-n', '-10'] : []),
        ...(pinned ? ['taskset', '-c', '0'] : []),
        process.execPath,
        ...nodeArgs,
        script,
      ],
      serverEnv,
    );
  const scoring = await startPinned(MAIN, {
    AMLOPS_MODEL_PATH: modelPath,
    AMLOPS_KEYS_FILE: keyFile,
    AMLOPS_PORT: '0',
    AMLOPS_ENDPOINT_NAME: 'bench',
    AMLOPS_DEPLOYMENT_NAME: 'blue',
    AMLOPS_MODEL_VERSION: '1',
    AMLOPS_APP_INSIGHTS_ENABLED: String(telemetry),
    AMLOPS_LOG_DIR: join(work, 'logs'),
  });
  const withBaseline = (process.env.BENCH_BASELINE ?? 'true') === 'true';
  const bare = withBaseline ? await startPinned(BARE, {}) : undefined;
  console.log(
    `server ${scoring.url} (pid ${scoring.child.pid}` +
      `${pinned ? ', core 0; load generator core 1' : ', NOT pinned: taskset missing'}` +
      `${priority ? ', both at nice -10' : ''}), telemetry ${telemetry ? 'on (request log file)' : 'off'}` +
      (bare ? `; machine floor: bare node:http server ${bare.url} on the same core` : ''),
  );

  try {
    const [row] = exampleRowsFor(model, 1);
    const single = { Inputs: { data: [row] }, GlobalParameters: { method: 'predict' } };
    const target = { scoringUri: `${scoring.url}/score`, key: KEY };
    const seconds = env('BENCH_SECONDS', 10);
    const connections = env('BENCH_CONNECTIONS', 32);
    const runCount = Math.max(1, env('BENCH_RUNS', 3));
    const thresholds = { minRequestsPerSecond: 5000, maxP99Ms: 5, maxErrorRate: 0 };
    // Warm-up: JIT, connection pools.
    await runBenchmark({ ...target, body: single, connections: 8, durationSeconds: 2 });
    if (bare) {
      const warmUp = { key: KEY, body: single, connections: 8, durationSeconds: 2 };
      await runBenchmark({ scoringUri: `${bare.url}/score`, ...warmUp });
    }

    /** One closed-loop run at `connections`, with the server's CPU time per request. */
    const measure = async (server: PinnedServer, scoringUri: string, outDir?: string): Promise<SingleRowRun> => {
      const loadBefore = load();
      const cpuBefore = cpuSeconds(server.child.pid);
      const loaderBefore = process.cpuUsage();
      const r = await runBenchmark({
        scoringUri,
        key: KEY,
        body: single,
        connections,
        durationSeconds: seconds,
        thresholds,
        outDir,
      });
      const cpuUsed = cpuSeconds(server.child.pid) - cpuBefore;
      const loaderUsage = process.cpuUsage(loaderBefore);
      // CPU time per request does not depend on how busy the machine is: it gives capacity on one free core.
      const cpuPerRequestUs = r.requests > 0 ? (cpuUsed * 1e6) / r.requests : 0;
      return {
        result: r,
        serverCpuSeconds: cpuUsed,
        cpuPerRequestUs,
        loaderCpuSeconds: (loaderUsage.user + loaderUsage.system) / 1e6,
        loadBefore,
        loadAfter: load(),
      };
    };
    // Runs alternate between the two servers, so a change in the machine's speed during the bench touches both.
    const runs: SingleRowRun[] = [];
    const floor: SingleRowRun[] = [];
    for (let i = 0; i < runCount; i++) {
      runs.push(await measure(scoring, target.scoringUri, join(outDir, 'single-row', `run-${i + 1}`)));
      if (bare) floor.push(await measure(bare, `${bare.url}/score`));
    }
    // The run with the median p99 stands for the bench (every run is reported and kept in summary.json).
    const byP99 = [...runs].sort((a, b) => a.result.latencyMs.p99 - b.result.latencyMs.p99);
    const median = byP99[Math.floor((byP99.length - 1) / 2)] as SingleRowRun;
    const r = median.result;

    // 1,000 real rows (the CSV's last rows) in one request: server time from x-ms-run-fn-exec-ms.
    const rows = tableRows(parseCsv([csvLines[0], ...csvLines.slice(-1000)].join('\n'))).map((raw) => {
      const out: Record<string, unknown> = {};
      for (const col of model.inputSchema) {
        out[col.name] = col.type === 'numeric' ? Number(raw[col.name]) : raw[col.name];
      }
      return out;
    });
    const bigBody = JSON.stringify({ Inputs: { data: rows }, GlobalParameters: { method: 'predict' } });
    const server: number[] = [];
    const client: number[] = [];
    for (let i = 0; i < 25; i++) {
      const c0 = performance.now();
      const res = await fetch(target.scoringUri, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${KEY}`,
          'x-ms-request-id': `bench-big-${i}`,
        },
        body: bigBody,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`1,000-row request got ${res.status}`);
      if (i >= 5) {
        server.push(Number(res.headers.get('x-ms-run-fn-exec-ms')));
        client.push(performance.now() - c0);
      }
    }
    const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
    // Whole server time (request received -> response sent, body parsing included) from the request log.
    await new Promise((r) => setTimeout(r, 700)); // log lines reach the file within 0.5 s
    const logged = readDeploymentLogs(join(work, 'logs'), { endpointName: 'bench', deploymentName: 'blue' }, 5000)
      .split('\n')
      .filter((l) => l.includes('"requestId":"bench-big-'))
      .map((l) => JSON.parse(l) as { requestId: string; latencyMs: number })
      .filter((e) => Number(e.requestId.slice('bench-big-'.length)) >= 5)
      .map((e) => e.latencyMs);
    const big = {
      bodyBytes: Buffer.byteLength(bigBody),
      serverMsMedian: med(server),
      serverMsMax: Math.max(...server),
      serverTotalMsMedian: logged.length > 0 ? med(logged) : undefined,
      serverTotalMsMax: logged.length > 0 ? Math.max(...logged) : undefined,
      clientMsMedian: med(client),
    };

    // The target holds for the whole server time when the request log has it, else for the run-function time.
    const bigOk = (big.serverTotalMsMedian ?? big.serverMsMedian) < 20;
    const runSummary = (x: SingleRowRun): Record<string, unknown> => ({
      requestsPerSecond: x.result.requestsPerSecond,
      latencyMs: x.result.latencyMs,
      errorRate: x.result.errorRate,
      serverCpuPerRequestUs: Math.round(x.cpuPerRequestUs),
      loadGeneratorCpuSeconds: Math.round(x.loaderCpuSeconds * 100) / 100,
      loadBefore: x.loadBefore,
      loadAfter: x.loadAfter,
      gate: x.result.gate,
    });
    const summary = {
      model: { algorithm: artifact.algorithm, trainRows, members: members.map((m) => m.algorithm), trees },
      machine: { cores: 2, pinned, priority },
      telemetry,
      singleRow: {
        connections,
        seconds,
        medianRun: runs.indexOf(median) + 1,
        runsPassing: runs.filter((x) => x.result.gate?.passed).length,
        runs: runs.map(runSummary),
        bareNodeHttpFloor: floor.map(runSummary),
      },
      thousandRows: big,
      passed: (r.gate?.passed ?? false) && bigOk,
    };
    writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(readFileSync(join(outDir, 'single-row', `run-${runs.indexOf(median) + 1}`, 'benchmark.txt'), 'utf8'));
    const runRow = (label: string, x: SingleRowRun): string[] => {
      const l = x.result.latencyMs;
      return [
        label,
        x.result.requestsPerSecond.toFixed(0),
        ...[l.p50, l.p90, l.p99, l.max].map((v) => v.toFixed(2)),
        x.cpuPerRequestUs.toFixed(0),
        x.result.gate?.passed ? 'passed' : 'FAILED',
      ];
    };
    console.log(
      textTable(
        ['single-row run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'server us/req', 'gate'],
        [
          ...runs.map((x, i) => runRow(`scoring server #${i + 1}`, x)),
          ...floor.map((x, i) => runRow(`bare node:http #${i + 1}`, x)),
        ],
      ),
    );
    if (floor.length > 0) {
      console.log(
        'bare node:http is the floor of this machine: ' +
          'the same load against a server that only reads the body and answers a fixed reply. ' +
          'A target it misses too is out of reach here for any Node.js server.',
      );
    }
    console.log(
      `1,000-row request (${big.bodyBytes} bytes, ${server.length} timed): ` +
        `x-ms-run-fn-exec-ms ${big.serverMsMedian.toFixed(2)} ms median, ` +
        `${big.serverMsMax.toFixed(2)} ms max; ` +
        (big.serverTotalMsMedian !== undefined
          ? `whole server time (log latencyMs) ${big.serverTotalMsMedian.toFixed(2)} ms median, ` +
            `${big.serverTotalMsMax?.toFixed(2)} ms max; `
          : '') +
        `client ${big.clientMsMedian.toFixed(2)} ms median -> ${bigOk ? 'ok' : 'FAILED'} (< 20 ms)`,
    );
    console.log(
      `median run (by p99): #${summary.singleRow.medianRun} of ${runs.length}; ` +
        `server CPU ${median.serverCpuSeconds.toFixed(2)} s for ${r.requests} requests = ` +
        `${median.cpuPerRequestUs.toFixed(0)} us/request ` +
        `(~${median.cpuPerRequestUs > 0 ? Math.round(1e6 / median.cpuPerRequestUs) : 0} req/s on one free core); ` +
        `load generator CPU ${median.loaderCpuSeconds.toFixed(2)} s in ${r.durationSeconds.toFixed(1)} s; ` +
        `load average before/after ${median.loadBefore} / ${median.loadAfter}`,
    );
    console.log(`${summary.passed ? 'PASSED' : 'FAILED'}; reports in ${outDir}`);
    process.exitCode = summary.passed ? 0 : 1;
  } finally {
    scoring.child.kill('SIGTERM');
    bare?.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(`bench:serve failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});

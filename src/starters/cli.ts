// The `amlops` command line: start a project, watch it, trigger and approve retrains, manage schedules.
import { Command, CommanderError, Option } from 'commander';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ConfigError, ENV, loadConfig, normalizeDatasetUri, type Config, type ConfigFlags } from '../config';
import { historyQuery, INTERVAL, projectWorkflowId, retrainUpdate, scheduleId, triggersQuery } from '../contract';
import { previousPort, workspaceDir } from '../runtime';
import { createRetrainSchedule } from '../schedules';
import { decideCycle } from './approval';
import { connectClient, onProject, UserError } from './connect';
import { formatHistory, formatStatus, table } from './format';
import { addEndpointCommands } from './endpoint-commands';
import { liveStatus } from './live-status';
import { controlRollout, currentRollout, formatRollout } from './rollout';
import { onStopSignal, runProject } from './run-project';
import { sleep } from './progress';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

type Flags = ConfigFlags & Record<string, unknown>;

/** Options every command takes; each also reads its AMLOPS_/TEMPORAL_ variable. */
function withCommon(cmd: Command): Command {
  return cmd
    .option('-p, --project <name>', 'project name (AMLOPS_PROJECT, default "bankmarketing")')
    .option('--address <host:port>', 'Temporal server (TEMPORAL_ADDRESS, default the local dev server)')
    .option('--namespace <name>', 'Temporal namespace (TEMPORAL_NAMESPACE)');
}

function configFrom(flags: Flags): Config {
  return loadConfig(process.env, flags);
}

async function withClient<T>(flags: Flags, run: (client: Client, config: Config) => Promise<T>): Promise<T> {
  const config = configFrom(flags);
  const client = await connectClient(config);
  try {
    return await run(client, config);
  } finally {
    await client.connection.close();
  }
}

function humanMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function buildCli(): Command {
  const program = new Command('amlops')
    .description('Durable MLOps on Temporal: AutoML, deploy, smoke-test and retrain on Azure ML or a local workspace.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  withCommon(program.command('start'))
    .description(
      'run the project: local Temporal (unless --address), a worker, and the retraining workflow, followed live',
    )
    .option('-d, --dataset <csv>', 'CSV to train on (AMLOPS_DATASET)')
    .option('-t, --target <column>', 'column to predict (AMLOPS_TARGET)')
    .option('--primary-metric <name>', 'metric models are ranked by (AMLOPS_PRIMARY_METRIC)')
    .option('--timeout-minutes <n>', 'AutoML budget in minutes (AMLOPS_AUTOML_TIMEOUT_MINUTES)')
    .option('--max-trials <n>', 'AutoML trial limit (AMLOPS_AUTOML_MAX_TRIALS)')
    .option('--champion-margin <x>', 'how much a new model must beat the serving one by (AMLOPS_CHAMPION_MARGIN)')
    .option('--test-share <x>', 'share of the data held out to compare new and serving model (AMLOPS_TEST_SHARE)')
    .option('--require-approval', 'wait for `amlops approve` before switching traffic (AMLOPS_REQUIRE_APPROVAL)')
    .option(
      '--optional-columns <names>',
      'comma-separated new input columns clients may omit, scored as missing (AMLOPS_OPTIONAL_COLUMNS)',
    )
    .action(async (flags: Flags) => {
      const running = await runProject(configFrom(flags), out);
      onStopSignal(running);
      await running.done;
    });

  withCommon(program.command('status'))
    .description("show the project's state: cycle, step, attempt, champion, last error")
    .option('--json', 'print JSON')
    .option('-w, --watch', 'refresh every 2 s until Ctrl-C')
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        do {
          const status = await liveStatus(client, config.project);
          if (flags.json) out(JSON.stringify(status, null, 2));
          else {
            if (flags.watch) process.stdout.write('\x1b[2J\x1b[H');
            out(formatStatus(status));
          }
          if (flags.watch) await sleep(2000, stop.signal);
        } while (flags.watch && !stop.signal.aborted);
      }),
    );

  withCommon(program.command('retrain'))
    .description('start a retraining cycle now (or join the next one if a cycle is running)')
    .option('-r, --reason <text>', 'why, recorded with the trigger', 'requested from the CLI')
    .option('--data <csv>', 'train on this CSV (path or URI) from now on')
    .option('--request-id <id>', 'idempotency key: a repeated id never retrains twice (default: a new one)')
    .option('--timeout-minutes <n>', "this cycle's AutoML budget")
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        const minutes = flags.timeoutMinutes === undefined ? undefined : Number(flags.timeoutMinutes);
        if (minutes !== undefined && !(minutes > 0))
          throw new UserError(`--timeout-minutes must be a positive number, got "${flags.timeoutMinutes}".`, 2);
        const request = {
          requestId: (flags.requestId as string | undefined) ?? `cli:${randomUUID()}`,
          reason: flags.reason as string,
          source: 'cli' as const,
          ...(flags.data ? { datasetUri: normalizeDatasetUri(flags.data as string) } : {}),
          ...(minutes ? { overrides: { automl: { timeoutMinutes: minutes } } } : {}),
        };
        const handle = client.workflow.getHandle(projectWorkflowId(config.project));
        const ack = await onProject(config.project, () => handle.executeUpdate(retrainUpdate, { args: [request] }));
        const what = {
          started: 'started',
          coalesced: 'will run after the current one',
          duplicate: 'already requested (same request id)',
        }[ack.status];
        out(`Cycle ${ack.cycle} ${what}. Request id: ${request.requestId}`);
      }),
    );

  for (const [name, approved] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    withCommon(program.command(`${name} <cycle>`))
      .description(`${name} the cycle waiting at the approval gate`)
      .option('--by <who>', 'who decides (recorded)')
      .option('-m, --comment <text>', 'why (recorded)')
      .action(async (cycleArg: string, flags: Flags) =>
        withClient(flags, async (client, config) => {
          const cycle = Number(cycleArg);
          if (!Number.isInteger(cycle) || cycle < 1)
            throw new UserError(`<cycle> must be a cycle number such as 3, got "${cycleArg}".`, 2);
          const decision = {
            cycle,
            approved,
            ...(flags.by ? { by: flags.by as string } : {}),
            ...(flags.comment ? { comment: flags.comment as string } : {}),
          };
          await decideCycle(client, config.project, decision);
          const outcome = approved
            ? 'approved: traffic switches to the new model'
            : 'rejected: traffic stays on the champion';
          out(`Cycle ${cycle} ${outcome}.`);
        }),
      );
  }

  const rollout = program
    .command('rollout')
    .description("the running cycle's progressive rollout: status, pause, resume, promote, abort");
  withCommon(rollout.command('status', { isDefault: true }))
    .description('show the step, the traffic split, live metrics per deployment and the time to the next step')
    .option('--json', 'print JSON')
    // `status` is the default, so `amlops rollout <typo>` arrives here: name the actions rather than an arity error.
    .argument('[action]')
    .action(async (action: string | undefined, flags: Flags) => {
      if (action !== undefined) {
        throw new UserError(`Unknown rollout action '${action}': use status, pause, resume, promote or abort.`, 2);
      }
      await withClient(flags, async (client, config) => {
        const { cycle, rollout: status } = await currentRollout(client, config.project);
        out(flags.json ? JSON.stringify({ cycle, ...status }, null, 2) : formatRollout(cycle, status));
      });
    });
  const controls = {
    pause: 'hold the current step (checks go on; a breach still rolls back)',
    resume: "let a paused step's bake count down again",
    promote: 'skip the remaining steps: 100% to the new deployment, then the watch window',
    abort: 'roll back now: all traffic to the champion, the new deployment removed',
  } as const;
  for (const [action, description] of Object.entries(controls) as [keyof typeof controls, string][]) {
    withCommon(rollout.command(action))
      .description(description)
      .option('--by <who>', 'who decides (recorded)')
      .option('-m, --reason <text>', 'why (recorded)')
      .action(async (flags: Flags) =>
        withClient(flags, async (client, config) => {
          const control = {
            ...(flags.by ? { by: flags.by as string } : {}),
            ...(flags.reason ? { reason: flags.reason as string } : {}),
          };
          const { cycle, rollout: status } = await controlRollout(client, config.project, action, control);
          out(`Rollout of cycle ${cycle}: ${action} accepted.`);
          out(formatRollout(cycle, status));
        }),
      );
  }

  withCommon(program.command('history'))
    .description('list past cycles: model, metric, outcome and why')
    .option('--json', 'print JSON')
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        const records = await onProject(config.project, () =>
          client.workflow.getHandle(projectWorkflowId(config.project)).query(historyQuery),
        );
        out(flags.json ? JSON.stringify(records, null, 2) : formatHistory(records));
      }),
    );

  withCommon(program.command('triggers'))
    .description('list recorded retrain triggers (CLI, webhooks, schedules)')
    .option('-n, --limit <n>', 'newest N', '20')
    .option('--json', 'print JSON')
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        const limit = Number(flags.limit);
        const triggers = await onProject(config.project, () =>
          client.workflow.getHandle(projectWorkflowId(config.project)).query(triggersQuery, limit),
        );
        if (flags.json) return out(JSON.stringify(triggers, null, 2));
        out(
          table([
            ['received', 'source', 'cycle', 'request id', 'reason'],
            ...triggers.map((t) => [t.receivedAt, t.source, String(t.cycle), t.requestId, t.reason]),
          ]),
        );
      }),
    );

  const schedule = program.command('schedule').description('retrain on a schedule (Temporal Schedules)');
  withCommon(schedule.command('create'))
    .description('create a schedule that sends retrain to the project')
    .addOption(new Option('--every <interval>', 'interval such as 1d, 12h, 30m').conflicts('cron'))
    .option('--cron <expr>', 'cron expression such as "0 3 * * 1" (UTC)')
    .option('--name <name>', 'schedule name, to keep several', 'retrain')
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        if (!flags.every && !flags.cron)
          throw new UserError('Give --every <interval> (e.g. 1d) or --cron "<expression>".', 2);
        if (flags.every && !INTERVAL.test(flags.every as string))
          throw new UserError(`--every must look like 30m, 12h or 1d, got "${flags.every}".`, 2);
        const { scheduleId: id, created } = await createRetrainSchedule(client, {
          project: config.project,
          taskQueue: config.taskQueue,
          name: flags.name as string,
          schedule: { every: flags.every as string | undefined, cron: flags.cron as string | undefined },
        }).catch((err: Error) => {
          if (/cron|invalid/i.test(err.message)) throw new UserError(`The schedule was refused: ${err.message}`, 2);
          throw err;
        });
        if (!created) throw new UserError(`Schedule ${id} already exists; delete it first or pick another --name.`);
        out(`Created schedule ${id} (${flags.cron ? `cron "${flags.cron}"` : `every ${flags.every}`}).`);
      }),
    );
  withCommon(schedule.command('list'))
    .description("list the project's schedules")
    .option('--json', 'print JSON')
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        const prefix = scheduleId(config.project, '');
        const rows: string[][] = [];
        const found: unknown[] = [];
        for await (const s of client.schedule.list()) {
          if (!s.scheduleId.startsWith(prefix)) continue;
          const spec = s.spec?.calendars?.length
            ? 'calendar'
            : (s.spec?.intervals?.map((i) => `every ${humanMs(Number(i.every))}`).join(', ') ?? '');
          const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
          rows.push([s.scheduleId, spec, next, s.state.paused ? 'paused' : 'active']);
          found.push({
            scheduleId: s.scheduleId,
            spec: s.spec,
            nextActionTimes: s.info.nextActionTimes,
            paused: s.state.paused,
          });
        }
        if (flags.json) return out(JSON.stringify(found, null, 2));
        out(
          rows.length
            ? table([['schedule', 'when', 'next run', 'state'], ...rows])
            : `No schedules for project ${config.project}.`,
        );
      }),
    );
  withCommon(schedule.command('delete'))
    .description('delete a schedule')
    .option('--name <name>', 'schedule name', 'retrain')
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        const id = scheduleId(config.project, flags.name as string);
        await client.schedule
          .getHandle(id)
          .delete()
          .catch((err: Error) => {
            if (err.name === 'ScheduleNotFoundError' || /not found/i.test(err.message))
              throw new UserError(`No schedule ${id}.`);
            throw err;
          });
        out(`Deleted schedule ${id}.`);
      }),
    );

  withCommon(program.command('cancel'))
    .description("stop the project's workflow (a running cycle is cancelled; deployed endpoints stay)")
    .action(async (flags: Flags) =>
      withClient(flags, async (client, config) => {
        await onProject(config.project, () => client.workflow.getHandle(projectWorkflowId(config.project)).cancel());
        out(`Cancel requested for project ${config.project}.`);
      }),
    );

  addEndpointCommands(program, withCommon, configFrom, out);

  // The services `npm start` runs in one go, one at a time (Docker, or a second machine): each is its own process.
  const service = (
    name: string,
    description: string,
    entry: string,
    extra: (config: Config, flags: Flags) => string[] = () => [],
  ) =>
    withCommon(program.command(name))
      .description(description)
      .action(async (flags: Flags) => {
        const config = configFrom(flags);
        const env = {
          ...process.env,
          AMLOPS_PROJECT: config.project,
          ...(config.temporal.address ? { TEMPORAL_ADDRESS: config.temporal.address } : {}),
        };
        const child = spawn(process.execPath, [require.resolve(entry), ...extra(config, flags)], {
          stdio: 'inherit',
          env,
        });
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
        const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
        if (code !== 0) throw new UserError(`${name} exited with code ${code}.`, code);
      });
  service(
    'workspace',
    'run the local Azure ML workspace alone (HTTPS, Azurite, training, scoring servers)',
    '../emulator/main',
    (config, flags) => [
      '--data-dir',
      workspaceDir(config),
      '--port',
      String(flags.port ?? previousPort(workspaceDir(config))),
    ],
  )
    .alias('emulator')
    .option('--port <n>', 'HTTPS port (default: the one it had last time, or a free one)');
  service('worker', 'run a worker alone (uses Azure if configured, else the local workspace)', '../worker');
  service(
    'webhooks',
    'run the webhook server alone (settings: see README, "Retraining from webhooks")',
    '../webhooks/main',
  );

  program
    .command('config')
    .description('list the environment variables amlops reads')
    .action(() => out(table([['variable', 'meaning'], ...Object.entries(ENV)])));

  return program;
}

/** Runs the CLI; exit codes: 0 done, 1 failed, 2 bad usage or configuration. */
export async function main(argv = process.argv): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof UserError) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    const cause = (e as { cause?: Error }).cause?.message;
    process.stderr.write(`amlops: ${e.message}${cause ? ` (${cause})` : ''}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}

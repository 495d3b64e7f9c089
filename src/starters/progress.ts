// Follows a project's workflow and prints each step as it starts and each cycle as it ends.
import type { Client } from '@temporalio/client';
import { historyQuery, projectWorkflowId, type CycleRecord } from '../contract';
import { formatCycle } from './format';
import { liveStatus, type LiveStatus } from './live-status';

export interface ProgressOptions {
  print: (line: string) => void;
  signal: AbortSignal;
  intervalMs?: number;
  onCycleEnd?: (record: CycleRecord) => void;
}

export async function followProject(client: Client, project: string, options: ProgressOptions): Promise<void> {
  const { print, signal } = options;
  const handle = client.workflow.getHandle(projectWorkflowId(project));
  let seenCycles = -1;
  let seenStep = '';
  let seenError = '';
  while (!signal.aborted) {
    let status: LiveStatus;
    try {
      status = await liveStatus(client, project);
    } catch (err) {
      if (signal.aborted) return;
      print(`  (status unavailable: ${(err as Error).message.split('\n')[0]}; retrying)`);
      await sleep(2000, signal);
      continue;
    }
    if (seenCycles < 0) seenCycles = status.cyclesCompleted;
    const stepKey = `${status.cycle}:${status.step ?? ''}`;
    if (status.state !== 'idle' && status.step && stepKey !== seenStep) {
      seenStep = stepKey;
      const waiting = `waiting: run \`amlops approve ${status.cycle}\` or \`amlops reject ${status.cycle}\``;
      print(`[cycle ${status.cycle}] ${status.step}${status.state === 'awaiting-approval' ? ` — ${waiting}` : ' ...'}`);
    }
    if (status.state !== 'idle' && status.lastError && status.lastError !== seenError) {
      seenError = status.lastError;
      print(`  error: ${status.lastError}`);
    }
    if (status.cyclesCompleted > seenCycles) {
      const history = await handle.query(historyQuery);
      for (const record of history.filter((r) => r.cycle > seenCycles && r.cycle <= status.cyclesCompleted)) {
        print(formatCycle(record));
        options.onCycleEnd?.(record);
      }
      seenCycles = status.cyclesCompleted;
    }
    await sleep(options.intervalMs ?? 1000, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

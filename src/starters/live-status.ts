// What `amlops status` shows: the project's own state, then its running cycle's progress asked of the cycle itself
// (its status query) and of the server (the running step's attempt, last failure and heartbeat, known only there).
import { defaultPayloadConverter, type Client } from '@temporalio/client';
import {
  cycleStatusQuery,
  cycleWorkflowId,
  projectWorkflowId,
  statusQuery,
  type CycleStatus,
  type ProjectStatus,
  type RolloutStatus,
  type Step,
  type StepTiming,
} from '../contract';
import { onProject } from './connect';

export type ProjectState = 'idle' | 'running' | 'awaiting-approval';

/** A project and its running cycle, as `amlops status` prints them. */
export interface LiveStatus extends Omit<ProjectStatus, 'state' | 'lastCycleSteps'> {
  state: ProjectState;
  step?: Step;
  stepStartedAt?: string;
  /** Attempt of the running step (retries after failures count up). */
  attempt?: number;
  /** The running cycle's steps; the last cycle's when idle. */
  steps: StepTiming[];
  /** What the running step's activity is doing: attempt, heartbeat progress (e.g. AutoML trials), last failure. */
  activity?: string;
  /** Why the cycle waiting at the approval gate asks a person (e.g. input compatibility findings). */
  approvalReason?: string;
  /** The running cycle's rollout, once it began. */
  rollout?: RolloutStatus;
}

/** What the server knows of a cycle's running activity. */
interface RunningActivity {
  attempt: number;
  heartbeat?: unknown;
  lastFailure?: string;
}

/** A cycle's own status and its running activity; undefined parts when the cycle cannot be asked (yet). */
async function askCycle(
  client: Client,
  project: string,
  cycle: number,
): Promise<{ status?: CycleStatus; activity?: RunningActivity }> {
  const handle = client.workflow.getHandle(cycleWorkflowId(project, cycle));
  const [status, description] = await Promise.all([
    handle.query(cycleStatusQuery).catch(() => undefined),
    handle.describe().catch(() => undefined),
  ]);
  const pending = description?.raw.pendingActivities?.[0];
  if (!pending) return { status };
  const beat = pending.heartbeatDetails?.payloads?.[0];
  return {
    status,
    activity: {
      attempt: pending.attempt ?? 1,
      ...(beat ? { heartbeat: defaultPayloadConverter.fromPayload(beat) } : {}),
      ...(pending.lastFailure?.message ? { lastFailure: pending.lastFailure.message } : {}),
    },
  };
}

/** Asks the project for its current cycle, then asks that cycle how it is doing. */
export async function liveStatus(client: Client, project: string): Promise<LiveStatus> {
  const handle = client.workflow.getHandle(projectWorkflowId(project));
  const own = await onProject(project, () => handle.query(statusQuery));
  if (own.state === 'idle') return view(own, { state: 'idle', steps: own.lastCycleSteps });

  const { status, activity } = await askCycle(client, project, own.cycle);
  const step = status?.step;
  const failure = activity?.lastFailure;
  // The running step shows its attempt, and the failure it is being retried after.
  const steps = (status?.steps ?? []).map((s) =>
    activity && s.step === step && !s.endedAt
      ? { ...s, attempt: activity.attempt, ...(failure ? { error: failure } : {}) }
      : s,
  );
  return view(own, {
    state: status?.awaitingApproval ? 'awaiting-approval' : 'running',
    step,
    stepStartedAt: status?.stepStartedAt,
    attempt: activity?.attempt,
    steps,
    lastError: activity?.lastFailure
      ? `cycle ${own.cycle}, ${step} (attempt ${activity.attempt - 1}): ${activity.lastFailure}`
      : undefined,
    activity: activity ? describeActivity(activity) : undefined,
    approvalReason: status?.approvalReason,
    rollout: status?.rollout,
  });
}

/** The project's fields and the cycle's, in the order `amlops status --json` has always printed them. */
function view(own: ProjectStatus, live: Partial<LiveStatus> & Pick<LiveStatus, 'state' | 'steps'>): LiveStatus {
  return {
    project: own.project,
    state: live.state,
    cycle: own.cycle,
    step: live.step,
    stepStartedAt: live.stepStartedAt,
    attempt: live.attempt,
    steps: live.steps,
    lastError: live.lastError ?? own.lastError,
    champion: own.champion,
    bestMetric: own.bestMetric,
    pendingTriggers: own.pendingTriggers,
    triggersRecorded: own.triggersRecorded,
    cyclesCompleted: own.cyclesCompleted,
    continuedAsNew: own.continuedAsNew,
    activity: live.activity,
    ...(live.approvalReason ? { approvalReason: live.approvalReason } : {}),
    ...(live.rollout ? { rollout: live.rollout } : {}),
  };
}

function describeActivity(activity: RunningActivity): string {
  const parts = [`attempt ${activity.attempt}`];
  if (activity.heartbeat !== undefined) parts.push(JSON.stringify(activity.heartbeat));
  if (activity.lastFailure) parts.push(`last failure: ${activity.lastFailure}`);
  return parts.join(', ');
}

// One retraining cycle as a child workflow: data -> AutoML -> model -> gates -> traffic -> pipeline.
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration, RetryPolicy } from '@temporalio/common';
import { decideChampion } from './champion';
import {
  cycleApprovalSignal,
  cycleProgressSignal,
  batchEndpointName,
  deploymentName,
  endpointName,
  jobName,
  modelName,
  STEP,
  type CycleProgress,
  type ApprovalDecision,
  type CycleOutcome,
  type CycleRecord,
  type CycleSettings,
  type DeploymentRef,
  type Step,
  type StepTiming,
  type Activities,
  type CycleInput,
} from '../contract';

const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 };

// Every step heartbeats every few seconds (see activities/deps.ts): a worker that dies mid-step is noticed
// within the heartbeat timeout, and the step is retried on another worker, where it finds what it already made.
const heartbeatTimeout = '15 seconds';
// Resource calls that answer quickly (ARM PUT/GET, blob upload).
const quick = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout, retry });
// Long-running provisioning (clusters, endpoints, deployments).
const provisioning = proxyActivities<Activities>({ startToCloseTimeout: '60 minutes', heartbeatTimeout, retry });
// The smoke test sends real traffic; retrying it many times would hide a flaky endpoint.
const probing = proxyActivities<Activities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout, retry: { ...retry, maximumAttempts: 3 } });

/** The AutoML wait lasts as long as the experiment: one heartbeating activity, so history does not grow per poll. */
function automlWaiter(settings: CycleSettings) {
  const minutes = settings.automl.timeoutMinutes + 30;
  return proxyActivities<Activities>({
    startToCloseTimeout: `${minutes} minutes`,
    heartbeatTimeout,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
}

/** The message of the innermost cause: what the activity said, not Temporal's wrapping. */
export function rootMessage(err: unknown): string {
  let e: unknown = err;
  while (e && typeof e === 'object' && 'cause' in e && (e as { cause?: unknown }).cause) e = (e as { cause: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}

export async function retrainingCycle(input: CycleInput): Promise<CycleRecord> {
  const { project, cycle, settings, champion } = input;
  const startedAt = new Date().toISOString();
  const steps: StepTiming[] = [];
  const record: Partial<CycleRecord> = {};
  const parentId = workflowInfo().parent?.workflowId;
  const parent = parentId ? getExternalWorkflowHandle(parentId) : undefined;

  let approval: ApprovalDecision | undefined;
  setHandler(cycleApprovalSignal, (decision) => {
    if (decision.cycle === cycle) approval = decision;
  });

  const tell = (progress: Omit<CycleProgress, 'cycle' | 'at'>) => {
    // Fire-and-forget: the project only shows this; a lost update must not fail the cycle.
    parent?.signal(cycleProgressSignal, { ...progress, cycle, at: new Date().toISOString() }).catch(() => undefined);
  };

  async function step<T>(name: Step, run: () => Promise<T>): Promise<T> {
    const timing: StepTiming = { step: name, startedAt: new Date().toISOString() };
    steps.push(timing);
    upsertSearchAttributes([{ key: STEP, value: name }]);
    if (name === 'awaitApproval') tell({ step: name, event: 'started' });
    try {
      const result = await run();
      timing.endedAt = new Date().toISOString();
      timing.ms = Date.parse(timing.endedAt) - Date.parse(timing.startedAt);
      return result;
    } catch (err) {
      timing.endedAt = new Date().toISOString();
      timing.ms = Date.parse(timing.endedAt) - Date.parse(timing.startedAt);
      timing.error = rootMessage(err);
      throw err;
    }
  }

  const finish = (outcome: CycleOutcome, reason: string): CycleRecord => ({
    cycle,
    outcome,
    reason,
    startedAt,
    endedAt: new Date().toISOString(),
    triggers: input.triggers,
    datasetUri: input.datasetUri,
    championBefore: champion?.model,
    steps,
    ...record,
  });

  let deployed: DeploymentRef | undefined;
  const rollback = (failed: DeploymentRef) =>
    step('rollbackDeployment', () =>
      quick.rollbackDeployment({
        endpointName: failed.endpointName,
        failedDeployment: failed.deploymentName,
        previousDeployment: champion?.deployment.deploymentName,
      }),
    );

  try {
    const dataset = await step('uploadDataset', () =>
      quick.uploadDataset({ project, datasetUri: input.datasetUri, target: settings.target }),
    );
    record.dataset = { name: dataset.name, version: dataset.version };

    const compute = await step('ensureCompute', () => provisioning.ensureCompute({ compute: settings.compute }));

    const job = await step('submitAutoML', () =>
      quick.submitAutoML({
        jobName: jobName(project, cycle),
        project,
        cycle,
        dataset,
        computeName: compute.name,
        target: settings.target,
        primaryMetric: settings.primaryMetric,
        limits: settings.automl,
      }),
    );
    record.jobName = job.jobName;

    const automl = await step('waitForAutoML', () =>
      automlWaiter(settings).waitForAutoML({ jobName: job.jobName, primaryMetric: settings.primaryMetric }),
    );

    const model = await step('registerModel', () =>
      quick.registerModel({
        project,
        cycle,
        modelName: modelName(project),
        jobName: job.jobName,
        bestChildRunId: automl.bestChildRunId,
        dataset,
        primaryMetric: settings.primaryMetric,
      }),
    );
    record.model = model;

    const decision = decideChampion(model, champion?.model, settings.championMargin);
    if (!decision.deploy) return finish('kept-champion', decision.reason);

    deployed = await step('deployModel', () =>
      provisioning.deployModel({
        project,
        cycle,
        endpointName: endpointName(project),
        deploymentName: deploymentName(cycle),
        model,
        instanceType: settings.instanceType,
        instanceCount: settings.instanceCount,
      }),
    );
    record.deployment = deployed;
    const deployment = deployed;

    await step('enableInsights', () => quick.enableInsights({ deployment }));

    const smoke = await step('smokeTest', () =>
      probing.smokeTest({ project, cycle, deployment, gate: settings.benchmark }),
    );
    record.smokeTest = smoke;
    if (!smoke.passed) {
      await rollback(deployment);
      const failedChecks = smoke.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
      return finish('rolled-back', `smoke test failed (${failedChecks.join('; ')}); traffic stays on the champion`);
    }

    if (settings.requireApproval) {
      const decided = await step('awaitApproval', () => condition(() => approval !== undefined, settings.approvalTimeout as Duration));
      if (!decided || !approval?.approved) {
        await rollback(deployment);
        const why = !decided
          ? `no approval within ${settings.approvalTimeout}`
          : `rejected${approval?.by ? ` by ${approval.by}` : ''}${approval?.comment ? `: ${approval.comment}` : ''}`;
        return finish('rejected', `${why}; traffic stays on the champion`);
      }
    }

    await step('switchTraffic', () =>
      quick.switchTraffic({ endpointName: deployment.endpointName, deploymentName: deployment.deploymentName }),
    );

    record.pipeline = await step('publishPipeline', () =>
      provisioning.publishPipeline({
        project,
        cycle,
        model,
        deployment,
        batchEndpointName: batchEndpointName(project),
        computeName: compute.name,
        ...(settings.retrainSchedule ? { schedule: settings.retrainSchedule } : {}),
      }),
    );
    return finish('deployed', decision.reason);
  } catch (err) {
    const reason = `${steps[steps.length - 1]?.step ?? 'cycle'} failed: ${rootMessage(err)}`;
    // A deployment that never got traffic is removed, so a failed cycle leaves nothing half-made behind.
    if (deployed && !steps.some((s) => s.step === 'switchTraffic' && !s.error)) {
      await rollback(deployed).catch(() => undefined);
    }
    const failed = finish('failed', reason);
    throw ApplicationFailure.create({ type: 'CycleFailed', nonRetryable: true, message: failed.reason, details: [failed] });
  }
}

// One retraining cycle as a child workflow: data -> AutoML -> model -> gates -> traffic -> pipeline.
// It is the one owner of its progress: its status query shows its steps, its approval update decides its gate.
import { ApplicationFailure, proxyActivities, setHandler, type RetryPolicy } from '@temporalio/workflow';
import {
  approvalUpdate,
  batchEndpointName,
  DEFAULT_SETTINGS,
  cycleStatusQuery,
  deploymentName,
  endpointName,
  jobName,
  modelName,
  type Activities,
  type CycleInput,
  type CycleOutcome,
  type CycleRecord,
  type CycleSettings,
  type DeploymentRef,
  type Step,
} from '../contract';
import { decideOnSlice, decideWithoutSlice, type ChampionDecision } from './champion';
import { CycleProgress, rootMessage } from './cycle-progress';
import { rollOut } from './rollout';
import { handleRolloutControls, RolloutState } from './rollout-state';

const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 };

// Every step heartbeats every few seconds (see activities/deps.ts): a worker that dies mid-step is noticed
// within the heartbeat timeout, and the step is retried on another worker, where it finds what it already made.
const heartbeatTimeout = '15 seconds';
// Resource calls that answer quickly (ARM PUT/GET, blob upload).
const quick = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout, retry });
// Long-running provisioning (clusters, endpoints, deployments).
const provisioning = proxyActivities<Activities>({ startToCloseTimeout: '60 minutes', heartbeatTimeout, retry });
// The smoke test and the evaluation send real traffic; retrying them many times would hide a flaky endpoint.
const probing = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout,
  retry: { ...retry, maximumAttempts: 3 },
});

/** The AutoML wait lasts as long as the experiment: one heartbeating activity, so history does not grow per poll. */
function automlWaiter(settings: CycleSettings) {
  const minutes = settings.automl.timeoutMinutes + 30;
  return proxyActivities<Activities>({
    startToCloseTimeout: `${minutes} minutes`,
    heartbeatTimeout,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
}

export async function retrainingCycle(input: CycleInput): Promise<CycleRecord> {
  const { project, cycle, settings, champion } = input;
  const startedAt = new Date().toISOString();
  const rollout = new RolloutState(project, cycle);
  const progress = new CycleProgress(project, cycle, rollout);
  const step = <T>(name: Step, run: () => Promise<T>) => progress.step(name, run);
  const record: Partial<CycleRecord> = {};

  setHandler(cycleStatusQuery, () => progress.status());
  setHandler(approvalUpdate, (decision) => progress.decide(decision), {
    validator: (decision) => progress.validateDecision(decision),
  });
  handleRolloutControls(rollout);

  const finish = (outcome: CycleOutcome, reason: string): CycleRecord => ({
    cycle,
    outcome,
    reason,
    startedAt,
    endedAt: new Date().toISOString(),
    triggers: input.triggers,
    datasetUri: input.datasetUri,
    championBefore: champion?.model,
    steps: progress.steps,
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
    const uploaded = await step('uploadDataset', () =>
      quick.uploadDataset({
        project,
        cycle,
        datasetUri: input.datasetUri,
        target: settings.target,
        testShare: settings.testShare,
      }),
    );
    // The AutoML job and the model see the training data only; the held-out slice is for evaluateModels.
    const { testSlice, ...dataset } = uploaded;
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

    // Deployed before the gate, with no traffic: the challenger is judged through its own deployment, as the
    // champion is through its own, so both are scored by the code that would serve them.
    deployed = await step('deployModel', () =>
      provisioning.deployModel({
        project,
        cycle,
        endpointName: endpointName(project),
        deploymentName: deploymentName(cycle),
        model,
        instanceType: settings.instanceType,
        instanceCount: settings.instanceCount,
        ...(settings.optionalColumns?.length ? { optionalColumns: settings.optionalColumns } : {}),
      }),
    );
    record.deployment = deployed;
    const deployment = deployed;

    await step('enableInsights', () => quick.enableInsights({ deployment }));

    // Input compatibility first: a challenger that would refuse what live clients send never takes traffic on its
    // own, and the evaluation below sends each model only the columns it knows.
    const compatibility =
      champion &&
      (await step('checkCompatibility', () =>
        quick.checkCompatibility({
          endpointName: deployment.endpointName,
          championDeployment: champion.deployment.deploymentName,
          challengerDeployment: deployment.deploymentName,
        }),
      ));
    if (compatibility) record.compatibility = compatibility;
    const incompatible =
      compatibility && !compatibility.compatible ? `input compatibility: ${compatibility.reason}` : '';
    if (incompatible && !settings.requireApproval) {
      await rollback(deployment);
      return finish('blocked', `${incompatible}; traffic stays on the champion`);
    }

    let decision: ChampionDecision;
    if (testSlice) {
      const evaluation = await step('evaluateModels', () =>
        probing.evaluateModels({
          project,
          cycle,
          endpointName: deployment.endpointName,
          challenger: { deploymentName: deployment.deploymentName },
          ...(champion ? { champion: { deploymentName: champion.deployment.deploymentName } } : {}),
          testSlice: { name: testSlice.name, version: testSlice.version },
          target: settings.target,
          primaryMetric: settings.primaryMetric,
        }),
      );
      record.evaluation = evaluation;
      decision = decideOnSlice(evaluation, settings.championMargin);
    } else {
      decision = decideWithoutSlice(input.datasetUri, model, champion?.model, settings.championMargin);
    }
    if (!decision.deploy) {
      await rollback(deployment);
      return finish('kept-champion', `${decision.reason}; the challenger's deployment was removed`);
    }

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
      const approval = await progress.awaitApproval(settings.approvalTimeout, incompatible || undefined);
      if (!approval?.approved) {
        await rollback(deployment);
        const why = !approval
          ? `no approval within ${settings.approvalTimeout}`
          : `rejected${approval.by ? ` by ${approval.by}` : ''}${approval.comment ? `: ${approval.comment}` : ''}`;
        return finish('rejected', `${why}; traffic stays on the champion`);
      }
    }

    if (champion) {
      // Beside a serving champion, the new deployment earns its traffic step by step on live metrics.
      record.rollout = await rollOut({
        progress,
        state: rollout,
        champion: champion.deployment,
        challenger: deployment,
        // Projects started before rollouts existed carry settings without them.
        settings: settings.rollout ?? DEFAULT_SETTINGS.rollout,
        rollback: () => rollback(deployment),
      });
      if (record.rollout.outcome === 'rolled-back') return finish('rolled-back', record.rollout.reason);
    } else {
      // Nothing serves yet: the first deployment takes all traffic at once.
      await step('switchTraffic', () =>
        quick.switchTraffic({ endpointName: deployment.endpointName, deploymentName: deployment.deploymentName }),
      );
    }

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
    const reason = `${progress.lastStep() ?? 'cycle'} failed: ${rootMessage(err)}`;
    // A deployment that never got traffic, or whose rollout did not complete, is removed and the champion keeps (or
    // gets back) all traffic, so a failed cycle leaves nothing half-made behind.
    if (deployed && !progress.succeeded('switchTraffic') && record.rollout?.outcome !== 'completed') {
      await rollback(deployed).catch(() => undefined);
    }
    const failed = finish('failed', reason);
    throw ApplicationFailure.create({
      type: 'CycleFailed',
      nonRetryable: true,
      message: failed.reason,
      details: [failed],
    });
  }
}

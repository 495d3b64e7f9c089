// The steps of a retraining cycle as Temporal activities, built around one Azure ML client (see deps.ts).
import { heartbeating, type ActivityDeps } from './deps';
import { uploadDataset } from './upload-dataset';
import { ensureCompute } from './ensure-compute';
import { submitAutoML } from './submit-automl';
import { waitForAutoML } from './wait-for-automl';
import { registerModel } from './register-model';
import { deployModel } from './deploy-model';
import { enableInsights } from './enable-insights';
import { smokeTest } from './smoke-test';
import { rollbackDeployment, switchTraffic } from './traffic';
import { publishPipeline } from './publish-pipeline';

export function createActivities(deps: ActivityDeps) {
  return {
    uploadDataset: heartbeating(uploadDataset(deps)),
    ensureCompute: heartbeating(ensureCompute(deps)),
    submitAutoML: heartbeating(submitAutoML(deps)),
    waitForAutoML: heartbeating(waitForAutoML(deps)),
    registerModel: heartbeating(registerModel(deps)),
    deployModel: heartbeating(deployModel(deps)),
    enableInsights: heartbeating(enableInsights(deps)),
    smokeTest: heartbeating(smokeTest(deps)),
    switchTraffic: heartbeating(switchTraffic(deps)),
    rollbackDeployment: heartbeating(rollbackDeployment(deps)),
    publishPipeline: heartbeating(publishPipeline(deps)),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';

// The steps of a retraining cycle as Temporal activities, built around one Azure ML client (see deps.ts).
import type { ActivityDeps } from './deps';
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
    uploadDataset: uploadDataset(deps),
    ensureCompute: ensureCompute(deps),
    submitAutoML: submitAutoML(deps),
    waitForAutoML: waitForAutoML(deps),
    registerModel: registerModel(deps),
    deployModel: deployModel(deps),
    enableInsights: enableInsights(deps),
    smokeTest: smokeTest(deps),
    switchTraffic: switchTraffic(deps),
    rollbackDeployment: rollbackDeployment(deps),
    publishPipeline: publishPipeline(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';

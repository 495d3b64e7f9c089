// The steps of a retraining cycle as Temporal activities, built around one Azure ML client (see deps.ts).
import type { Activities } from '../contract';
import { asStep, type ActivityDeps } from './deps';
import { uploadDataset } from './upload-dataset';
import { ensureCompute } from './ensure-compute';
import { submitAutoML } from './submit-automl';
import { waitForAutoML } from './wait-for-automl';
import { registerModel } from './register-model';
import { deployModel } from './deploy-model';
import { enableInsights } from './enable-insights';
import { checkCompatibility } from './check-compatibility';
import { evaluateModels } from './evaluate-models';
import { smokeTest } from './smoke-test';
import { rollbackDeployment, setTraffic, switchTraffic } from './traffic';
import { checkRollout } from './check-rollout';
import { publishPipeline } from './publish-pipeline';

export function createActivities(deps: ActivityDeps): Activities {
  return {
    uploadDataset: asStep('uploadDataset', uploadDataset(deps)),
    ensureCompute: asStep('ensureCompute', ensureCompute(deps)),
    submitAutoML: asStep('submitAutoML', submitAutoML(deps)),
    waitForAutoML: asStep('waitForAutoML', waitForAutoML(deps)),
    registerModel: asStep('registerModel', registerModel(deps)),
    deployModel: asStep('deployModel', deployModel(deps)),
    enableInsights: asStep('enableInsights', enableInsights(deps)),
    checkCompatibility: asStep('checkCompatibility', checkCompatibility(deps)),
    evaluateModels: asStep('evaluateModels', evaluateModels(deps)),
    smokeTest: asStep('smokeTest', smokeTest(deps)),
    switchTraffic: asStep('switchTraffic', switchTraffic(deps)),
    rollbackDeployment: asStep('rollbackDeployment', rollbackDeployment(deps)),
    setTraffic: asStep('setTraffic', setTraffic(deps)),
    checkRollout: asStep('checkRollout', checkRollout(deps)),
    publishPipeline: asStep('publishPipeline', publishPipeline(deps)),
  };
}

export type { ActivityDeps } from './deps';

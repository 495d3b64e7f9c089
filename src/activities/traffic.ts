// switchTraffic, setTraffic and rollbackDeployment: move the endpoint's live and mirror traffic, and remove a
// deployment that failed its gate. All go through src/azureml setTraffic (api-version 2024-10-01, which has
// mirrorTraffic), which sends nothing when the split is already in force, so a retried step changes nothing.
import { call, isNotFound, setTraffic as setEndpointTraffic } from '../azureml';
import type { RollbackInput, SetTrafficInput, SwitchTrafficInput, TrafficRef } from '../contract';
import { beat, type ActivityDeps } from './deps';

async function applySplit(
  { client }: ActivityDeps,
  endpointName: string,
  traffic: Record<string, number>,
  mirrorTraffic: Record<string, number>,
): Promise<TrafficRef> {
  beat({ endpointName, traffic, mirrorTraffic });
  const now = await setEndpointTraffic(client, endpointName, { traffic, mirrorTraffic });
  return { endpointName, traffic: now.traffic, mirrorTraffic: now.mirrorTraffic };
}

export const switchTraffic = (deps: ActivityDeps) =>
  async function switchTraffic({ endpointName, deploymentName }: SwitchTrafficInput): Promise<TrafficRef> {
    return applySplit(deps, endpointName, { [deploymentName]: 100 }, {});
  };

/** One rollout step's split (live and mirror), as the workflow computed it. */
export const setTraffic = (deps: ActivityDeps) =>
  async function setTraffic({ endpointName, traffic, mirrorTraffic }: SetTrafficInput): Promise<TrafficRef> {
    return applySplit(deps, endpointName, traffic, mirrorTraffic);
  };

/** All traffic back on the champion, no mirror, first (what clients feel); then the failed deployment goes. */
export const rollbackDeployment = (deps: ActivityDeps) =>
  async function rollbackDeployment({
    endpointName,
    failedDeployment,
    previousDeployment,
  }: RollbackInput): Promise<TrafficRef> {
    const { client } = deps;
    const result = await applySplit(deps, endpointName, previousDeployment ? { [previousDeployment]: 100 } : {}, {});
    try {
      await client.arm.onlineDeployments.beginDeleteAndWait(client.rg, client.ws, endpointName, failedDeployment, {
        onResponse: () => beat({ failedDeployment }),
      });
    } catch (err) {
      if (!isNotFound(err))
        await call(`delete deployment ${endpointName}/${failedDeployment}`, () => Promise.reject(err));
    }
    return result;
  };

// switchTraffic and rollbackDeployment: move the endpoint's traffic, and remove a deployment that failed its gate.
import { call, isNotFound } from '../azureml';
import type { RollbackInput, SwitchTrafficInput, TrafficRef } from '../contract';
import { beat, type ActivityDeps } from './deps';

async function setTraffic(
  deps: ActivityDeps,
  endpointName: string,
  traffic: Record<string, number>,
): Promise<TrafficRef> {
  const { client } = deps;
  const endpoint = await call(`read endpoint ${endpointName}`, () =>
    client.arm.onlineEndpoints.get(client.rg, client.ws, endpointName),
  );
  const same = JSON.stringify(endpoint.properties.traffic ?? {}) === JSON.stringify(traffic);
  if (!same) {
    await call(`set traffic of ${endpointName} to ${JSON.stringify(traffic)}`, () =>
      client.arm.onlineEndpoints.beginCreateOrUpdateAndWait(
        client.rg,
        client.ws,
        endpointName,
        { ...endpoint, properties: { ...endpoint.properties, traffic } },
        { onResponse: () => beat({ endpointName }) },
      ),
    );
  }
  return { endpointName, traffic };
}

export const switchTraffic = (deps: ActivityDeps) =>
  async function switchTraffic({ endpointName, deploymentName }: SwitchTrafficInput): Promise<TrafficRef> {
    return setTraffic(deps, endpointName, { [deploymentName]: 100 });
  };

export const rollbackDeployment = (deps: ActivityDeps) =>
  async function rollbackDeployment({
    endpointName,
    failedDeployment,
    previousDeployment,
  }: RollbackInput): Promise<TrafficRef> {
    const { client } = deps;
    const result = await setTraffic(deps, endpointName, previousDeployment ? { [previousDeployment]: 100 } : {});
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

// enableInsights: switches Application Insights on for the deployment, then reads its logs back to prove logging works.
import { call } from '../azureml';
import type { EnableInsightsInput, InsightsRef } from '../contract';
import { beat, type ActivityDeps } from './deps';

export const enableInsights = ({ client }: ActivityDeps) =>
  async function enableInsights({ deployment }: EnableInsightsInput): Promise<InsightsRef> {
    const { endpointName, deploymentName } = deployment;
    const current = await call(`read deployment ${endpointName}/${deploymentName}`, () =>
      client.arm.onlineDeployments.get(client.rg, client.ws, endpointName, deploymentName),
    );
    if (!current.properties.appInsightsEnabled) {
      // 2022-10-01's PATCH carries only tags and sku, so the switch is a PUT of the whole deployment.
      await call(`enable Application Insights on ${endpointName}/${deploymentName}`, () =>
        client.arm.onlineDeployments.beginCreateOrUpdateAndWait(
          client.rg,
          client.ws,
          endpointName,
          deploymentName,
          { ...current, properties: { ...current.properties, appInsightsEnabled: true } },
          { onResponse: () => beat({ deploymentName }) },
        ),
      );
    }
    const logs = await call(`read logs of ${endpointName}/${deploymentName}`, () =>
      client.arm.onlineDeployments.getLogs(client.rg, client.ws, endpointName, deploymentName, {
        containerType: 'InferenceServer',
        tail: 50,
      }),
    );
    return { appInsightsEnabled: true, logLines: (logs.content ?? '').split('\n').filter(Boolean).length };
  };

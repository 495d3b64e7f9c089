// A deployment of an online endpoint as the scoring client addresses it: URI, key, trusted CA, routing header.
import { call, type AzureMLClient } from '../azureml';
import type { EndpointTarget } from '../smoketest';

/**
 * Reads the endpoint and its key. The key lives only in the returned target, for this activity call: never
 * return, log or report it. Calls carry `azureml-model-deployment`, so they reach this deployment whatever the
 * endpoint's traffic split says (as on Azure).
 */
export async function deploymentTarget(
  client: AzureMLClient,
  endpointName: string,
  deploymentName: string,
): Promise<EndpointTarget> {
  const endpoint = await call(`read endpoint ${endpointName}`, () =>
    client.arm.onlineEndpoints.get(client.rg, client.ws, endpointName),
  );
  const keys = await call(`read the keys of endpoint ${endpointName}`, () =>
    client.arm.onlineEndpoints.listKeys(client.rg, client.ws, endpointName),
  );
  const key = keys.primaryKey ?? keys.secondaryKey;
  if (!key) throw new Error(`Endpoint ${endpointName} returned no key; it must use authMode Key.`);
  const { scoringUri, swaggerUri } = endpoint.properties;
  if (!scoringUri) throw new Error(`Endpoint ${endpointName} has no scoring URI yet; is it still provisioning?`);
  return {
    scoringUri,
    key,
    ...(swaggerUri ? { swaggerUri } : {}),
    ...(client.target.caCertificate ? { ca: client.target.caCertificate } : {}),
    headers: { 'azureml-model-deployment': deploymentName },
  };
}

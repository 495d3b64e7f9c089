// checkCompatibility: would the challenger take what live clients send the champion? Both models' input columns and
// classes, and the columns of the champion's recent live requests (its request records, through getLogs).
import { call } from '../azureml';
import type { CheckCompatibilityInput, CompatibilityCheck } from '../contract';
import { checkInputCompatibility } from '../monitoring';
import { deployedModel } from './deployed-model';
import type { ActivityDeps } from './deps';
import { columnPresence } from './request-columns';

/**
 * Log lines read from the champion: the scoring server writes one per request (when Application Insights is on,
 * as enableInsights leaves every deployment), so this is about the last 5,000 requests.
 */
export const RECENT_LOG_LINES = 5000;

export const checkCompatibility = ({ client }: ActivityDeps) =>
  async function checkCompatibility(input: CheckCompatibilityInput): Promise<CompatibilityCheck> {
    const { endpointName, championDeployment, challengerDeployment } = input;
    const [champion, challenger] = await Promise.all([
      deployedModel(client, endpointName, championDeployment),
      deployedModel(client, endpointName, challengerDeployment),
    ]);
    const logs = await call(`read the request records of ${endpointName}/${championDeployment}`, () =>
      client.arm.onlineDeployments.getLogs(client.rg, client.ws, endpointName, championDeployment, {
        containerType: 'InferenceServer',
        tail: RECENT_LOG_LINES,
      }),
    );
    const live = columnPresence(logs.content ?? '');
    const verdict = checkInputCompatibility(champion, challenger, live);
    return {
      compatible: verdict.compatible,
      findings: verdict.findings,
      liveRequests: live.requests,
      optionalColumns: challenger.optionalColumns,
      reason: `${challenger.model} against ${champion.model}: ${verdict.reason}`,
    };
  };

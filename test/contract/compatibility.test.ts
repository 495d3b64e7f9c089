// The input compatibility check against the local workspace: both models' artifacts, the deployments' optional
// columns, and the columns of real requests to the champion, read back from its scoring server's request records.
import { ApplicationFailure } from '@temporalio/common';
import { loadModel, type ModelArtifact } from '../../src/automl';
import type { ActivityDeps } from '../../src/activities';
import { checkCompatibility } from '../../src/activities/check-compatibility';
import { deploymentTarget } from '../../src/activities/endpoint-target';
import { enableInsights } from '../../src/activities/enable-insights';
import { scoreProbabilities } from '../../src/smoketest';
import { asJsonRow, trainBankModel } from '../unit/serving/bank-model';
import { activityDeps, deployArtifact, startTestWorkspace, type TestWorkspace } from './helpers';

const PROJECT = 'compat';
const ENDPOINT = 'compat-ep';
let t: TestWorkspace;
let deps: ActivityDeps;
let champion: ModelArtifact;
/** The champion's rows as live clients send them: its columns, nothing else. */
let liveRows: Record<string, unknown>[];

const deploy = (deploymentName: string, artifact: ModelArtifact, version: string, optional?: string[]) =>
  deployArtifact(t, deps, { project: PROJECT, endpointName: ENDPOINT, deploymentName, artifact, version }, optional);

/** The champion's model, retrained on data with one more (numeric) column. */
const withScoreHint = (artifact: ModelArtifact): ModelArtifact => ({
  ...artifact,
  inputSchema: [...artifact.inputSchema, { name: 'score_hint', type: 'numeric' }],
});

beforeAll(async () => {
  t = await startTestWorkspace();
  deps = activityDeps(t);
  const fixture = trainBankModel(300, 6);
  champion = fixture.artifact;
  const model = loadModel(champion);
  liveRows = fixture.heldOut.slice(0, 6).map(({ y: _y, ...r }) => asJsonRow(model, r));

  const blue = await deploy('blue', champion, '1');
  await enableInsights(deps)({ deployment: blue });
  // Six live requests of one row each, in the champion's columns.
  await scoreProbabilities(await deploymentTarget(deps.client, ENDPOINT, 'blue'), liveRows, { batchRows: 1 });
  await new Promise((r) => setTimeout(r, 800)); // request records reach the log within 0.5 s
}, 180_000);
afterAll(async () => {
  await t?.dispose();
});

describe('checkCompatibility', () => {
  it('finds a new required column that the live requests to the champion lack, and counts them', async () => {
    await deploy('green', withScoreHint(champion), '2');
    const check = await checkCompatibility(deps)({
      endpointName: ENDPOINT,
      championDeployment: 'blue',
      challengerDeployment: 'green',
    });
    expect(check).toEqual({
      compatible: false,
      findings: [{ kind: 'missing-column', column: 'score_hint', liveRequestsLacking: 6, of: 6 }],
      liveRequests: 6,
      optionalColumns: [],
      reason: expect.stringMatching(
        /^compat-model:2 against compat-model:1: the challenger requires column 'score_hint', which 6 of 6 recent live/,
      ),
    });
    const keys = await deps.client.arm.onlineEndpoints.listKeys(t.rg, t.name, ENDPOINT);
    expect(JSON.stringify(check)).not.toContain(keys.primaryKey!);
  });

  it('takes the new column as optional when the deployment was told so, and that deployment scores without it', async () => {
    await deploy('teal', withScoreHint(champion), '3', ['score_hint']);
    const check = await checkCompatibility(deps)({
      endpointName: ENDPOINT,
      championDeployment: 'blue',
      challengerDeployment: 'teal',
    });
    expect(check).toMatchObject({ compatible: true, findings: [], liveRequests: 6, optionalColumns: ['score_hint'] });
    // The champion's clients, unchanged, are answered by the challenger.
    const teal = await deploymentTarget(deps.client, ENDPOINT, 'teal');
    const scored = await scoreProbabilities(teal, liveRows);
    expect(scored).toHaveLength(liveRows.length);
  });

  it('fails for good, naming the deployment, when there is no such deployment', async () => {
    const failure = await checkCompatibility(deps)({
      endpointName: ENDPOINT,
      championDeployment: 'blue',
      challengerDeployment: 'nope',
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true });
    expect((failure as Error).message).toMatch(/Could not read deployment compat-ep\/nope: HTTP 404/);
  });
});

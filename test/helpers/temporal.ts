// Starts a real Temporal dev server for a test file (the CLI binary, never a download) and bundles workflows once.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTemporalCli } from '../../src/devserver/temporal-cli';
import { ALL_SEARCH_ATTRIBUTES, DEFAULT_SETTINGS, type CycleSettings } from '../../src/contract';

let runtimeInstalled = false;

export async function startTestServer(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    // Worker state changes are logged at INFO; tests only want warnings.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const path = await ensureTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: [
        '--headless',
        '--log-level',
        'error',
        '--dynamic-config-value',
        'system.enableActivityEagerExecution=true',
      ],
    },
  });
}

export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: new DefaultLogger('WARN'),
  });
}

/**
 * The default settings with rollouts (cycles after the first) that bake for a fraction of a second, for tests whose
 * subject is not the rollout; test/workflow/rollout.test.ts covers it.
 */
export const FAST_ROLLOUT_SETTINGS: CycleSettings = {
  ...DEFAULT_SETTINGS,
  rollout: { ...DEFAULT_SETTINGS.rollout, bake: '200ms', watch: '200ms', checkEvery: '100ms' },
};

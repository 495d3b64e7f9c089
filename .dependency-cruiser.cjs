// Import cycles and layering (ARCHITECTURE.md, "Layout"): dependencies point one way, down. Run by `npm run lint`.
// Each layer lists what of ours it may import; anything else under src/ is a violation named after the layer.
// Type-only imports are erased by tsc and never reach the workflow bundle, so two rules let them through.

/** A rule: modules matching `from` may import, under src/, only modules matching `allowed`. */
function layer(name, comment, from, allowed, extra = {}) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: '^src/', pathNot: allowed, ...extra },
  };
}

// The layers above the Azure ML client and the local workspace: nothing below them imports them.
const ENTRY_POINTS = '^src/(starters|webhooks|runtime|devserver)/|^src/worker\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycle: split the shared part into a module both sides import, or name it by string.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer(
      'contract-imports-nothing',
      'src/contract crosses process and workflow boundaries: zod and @temporalio/workflow only ' +
        '(type-only imports of src/automl/types and src/monitoring are fine).',
      '^src/contract/',
      '^src/contract/',
      { dependencyTypesNot: ['type-only'] },
    ),
    layer(
      'contract-types-from-automl-only',
      'src/contract may import only types, and only from src/automl/types or src/monitoring (the pure layer below it).',
      '^src/contract/',
      '^src/contract/|^src/automl/types\\.ts$|^src/monitoring/',
    ),
    layer(
      'workflows-import-contract-only',
      'Workflow code is bundled into the deterministic sandbox: it imports src/contract, and activities as a type ' +
        'for proxyActivities<typeof activities> (import type).',
      '^src/workflows/',
      '^src/(workflows|contract)/',
      { dependencyTypesNot: ['type-only'] },
    ),
    layer(
      'workflows-types-from-activities-only',
      'Workflow code may import types only, and only from src/activities (for proxyActivities).',
      '^src/workflows/',
      '^src/(workflows|contract|activities)/',
    ),
    layer(
      'activities-below-workflows',
      'Activities are thin adapters: contract + azureml + smoketest (+ the pure automl and monitoring, and the ' +
        'schedule client). They never import workflows, the emulator, the CLI, webhooks or the worker.',
      '^src/activities/',
      '^src/(activities|contract|azureml|smoketest|automl|monitoring)/|^src/schedules\\.ts$',
    ),
    {
      name: 'clients-below-activities',
      comment:
        'src/azureml and src/smoketest are the clients activities and the CLI use: they import nothing above them.',
      severity: 'error',
      from: { path: '^src/(azureml|smoketest)/' },
      to: { path: `^src/(activities|workflows)/|${ENTRY_POINTS}` },
    },
    layer(
      'emulator-imports-engines-only',
      'The local workspace is Azure ML itself: it runs automl, serving, training and monitoring, and never ' +
        'imports activities, workflows, contract or the Azure ML client.',
      '^src/emulator/',
      '^src/(emulator|automl|serving|training|monitoring)/',
    ),
    layer(
      'training-imports-automl-only',
      'The training thread runs the AutoML engine and nothing else of ours.',
      '^src/training/',
      '^src/(training|automl)/',
    ),
    layer(
      'serving-imports-automl-only',
      'The scoring server a deployment runs: it depends on the AutoML engine only.',
      '^src/serving/',
      '^src/(serving|automl)/',
    ),
    layer(
      'engines-are-pure',
      'src/automl and src/monitoring are pure computation: they import nothing of ours but each other downward ' +
        "(monitoring reuses the engine's metrics and seeded random numbers).",
      '^src/(automl|monitoring)/',
      '^src/($1|automl)/',
    ),
    layer(
      'webhooks-contract-and-client',
      'Webhook receivers turn events into workflow updates: contract + @temporalio/client (+ the config and the ' +
        'shared process wiring). Workflows are named by string or imported as types.',
      '^src/webhooks/',
      '^src/(webhooks|contract|runtime)/|^src/config\\.ts$',
      { dependencyTypesNot: ['type-only'] },
    ),
    {
      name: 'cli-starts-workflows-by-name',
      comment: 'The CLI talks to workflows through @temporalio/client and src/contract; only the worker loads them.',
      severity: 'error',
      from: { path: '^src/starters/' },
      to: { path: '^src/(workflows|activities)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'The CLI is the top layer; what it shares with the worker belongs in the shared process wiring.',
      severity: 'error',
      from: { pathNot: '^src/starters/|^(test|bench)/' },
      to: { path: '^src/starters/' },
    },
    {
      name: 'nothing-imports-the-worker',
      comment: 'src/worker.ts is an entry point: only the CLI (which can run a worker in-process) imports it.',
      severity: 'error',
      from: { pathNot: '^src/(starters|worker\\.ts)|^(test|bench)/' },
      to: { path: '^src/worker\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports are edges too: a cycle or an upward import through types still couples the layers.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

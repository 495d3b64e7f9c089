// Deterministic names for every workflow, schedule and resource a project makes, so a retried step finds what it
// already made. Azure limits: endpoint names 3-32 chars, deployment names 3-32, job names unique per workspace.

/**
 * Workflow types by name, for callers that start workflows without importing workflow code (CLI, webhooks,
 * schedules). Each is the name of the function src/workflows/index.ts exports.
 */
export const PROJECT_WORKFLOW = 'operationalize';
export const SCHEDULED_RETRAIN_WORKFLOW = 'scheduledRetrain';

export const projectWorkflowId = (project: string): string => `amlops-${project}`;
export const cycleWorkflowId = (project: string, cycle: number): string => `amlops-${project}-cycle-${cycle}`;
export const scheduleId = (project: string, name = 'retrain'): string => `amlops-${project}-${name}`;

export const jobName = (project: string, cycle: number): string => `${project}-automl-c${cycle}`;
export const modelName = (project: string): string => `${project}-model`;
export const endpointName = (project: string): string => `${project}-ep`;
export const deploymentName = (cycle: number): string => `cycle-${cycle}`;
export const batchEndpointName = (project: string): string => `${project}-batch`;

/**
 * The deployment environment variable (Azure's `environmentVariables` property) naming, comma-separated, the input
 * columns its scoring server lets rows leave out. src/serving reads the same name (it imports nothing of ours).
 */
export const OPTIONAL_COLUMNS_VARIABLE = 'AMLOPS_OPTIONAL_COLUMNS';

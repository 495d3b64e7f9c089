// Entry point of the scoring server: start one in-process, or spawn dist/src/serving/main.js per deployment
// (env contract in README.md).
export { startScoringServer, buildScoringApp, type ScoringServer, type ScoringServerOptions } from './server';
export { KeyRing, bearerToken, type KeySource } from './keys';
export { deploymentLogPath, readDeploymentLogs, type DeploymentRef } from './logs';
export { buildSwagger, exampleRequests, exampleRowsFor } from './swagger';
export { parseScoringRequest, formatScoringReply, type RequestShape, type ScoringMethod } from './request-shapes';
export { ScoringError } from './errors';
export { loadModelFile } from './model-file';

// Entry point of the smoke test and benchmark client: works against any endpoint speaking Azure ML's scoring
// contract.
export {
  runSmokeTest,
  smokeTestText,
  type SmokeTestOptions,
  type SmokeTestResult,
  type CheckResult,
} from './smoke-test';
export {
  runBenchmark,
  benchmarkText,
  percentile,
  type BenchmarkOptions,
  type BenchmarkResult,
  type LatencySummary,
} from './benchmark';
export { applyGate, type BenchmarkThresholds, type GateResult } from './gate';
export { call, swaggerUriOf, healthUriOf, type EndpointTarget, type HttpReply } from './endpoint';
export { scoreProbabilities, ScoringFailed, BATCH_ROWS, type ClassProbabilities } from './probabilities';
export { predictionsOf, rowsOf, exampleRequestOf, classesOf } from './replies';
export type { ReportFiles } from './report';
export {
  startSteadyLoad,
  type SteadyLoad,
  type SteadyLoadOptions,
  type SteadyLoadSummary,
  type LoadSample,
} from './steady-load';

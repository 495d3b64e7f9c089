// The AutoML engine's entry point: pure computation (no files, network, threads or clock of its own).
export * from './types';
export { DatasetError, DatasetErrorCode, DatasetErrorData, DatasetErrorDetails } from './errors';
export { formatCsv, parseCsv } from './csv';
export { Table, TableColumn, tableRows, selectRows } from './table';
export { inferDataset, inferTarget, Inference, DroppedColumn, MIN_ROWS } from './infer';
export { Rng } from './rng';
export { heldOutCount, shuffledByClass, stratifiedHoldout } from './split';
export { Featurizer, FeaturizerSpec, FeatureSpec } from './featurizer';
export {
  computeMetrics,
  metricValue,
  rocAuc,
  averagePrecision,
  higherIsBetter,
  scoreOf,
  METRIC_NAMES,
} from './metrics';
export { loadModel, EngineModelJSON } from './model';
export { train, TrainOptions } from './train';
export {
  prepareExperiment,
  runTrial,
  refitOnAllRows,
  buildResult,
  PreparedExperiment,
  TrialOutput,
  TrialRecord,
  DEFAULT_SEED,
} from './experiment';
export { ExperimentSession, NextStep } from './session';
export { TrialConfig } from './search';
export { fitGbdt, GbdtParams } from './gbdt';
export { fitBins, applyBins, binCounts } from './binning';
export { LEARNERS, learnerFor, TrainingData, Frame } from './learners';

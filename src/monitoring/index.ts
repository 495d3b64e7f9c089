// The monitoring statistics' entry point: pure computation (no files, network, threads or clock; randomness
// from a seed only).
export { pairedBootstrap, PairedBootstrapInput, PairedBootstrapInterval } from './bootstrap';
export {
  alignCounts,
  AlignedCounts,
  countValues,
  Counts,
  distributionDistance,
  DistributionDistance,
  jensenShannonDistance,
  populationStabilityIndex,
  probabilityHistogram,
} from './distribution-distance';
export {
  categoricalDrift,
  CategoricalDrift,
  ChiSquaredTest,
  dataDrift,
  FeatureDrift,
  KolmogorovSmirnovTest,
  numericDrift,
  NumericDrift,
} from './drift';
export { BaselineProfile, dataQuality, FeatureDataQuality, profileBaseline } from './data-quality';
export {
  Breach,
  DeploymentWindow,
  judgeRollout,
  RolloutMetric,
  RolloutThresholds,
  RolloutVerdict,
} from './rollout-verdict';
export { CollectedRow, Feature } from './values';
export {
  checkInputCompatibility,
  CompatibilityFinding,
  CompatibilityVerdict,
  InputColumnSpec,
  LiveColumnPresence,
  ModelInputs,
} from './input-compatibility';

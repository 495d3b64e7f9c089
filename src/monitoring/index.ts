// The monitoring statistics' door: pure computation (no files, network, threads, clock; randomness from a seed only).
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

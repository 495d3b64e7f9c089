// The AutoML engine's public shapes: what training takes and returns, and what a model artifact holds.
// The scoring server, the local workspace and the training runner depend on these names; add fields
// freely, but rename or remove only together with every caller.

/** A raw input row as a user sends it: column name -> value as parsed from CSV or JSON. */
export type RawRow = Record<string, string | number | boolean | null | undefined>;

export type ColumnType = 'numeric' | 'categorical' | 'boolean';

/** One input column the model expects, as inferred at training time. */
export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** Categories seen in training (categorical and boolean columns); unseen values are scored as "other". */
  categories?: string[];
  /** Whether training data had missing values in this column (scoring accepts missing values either way). */
  nullable?: boolean;
}

/** The primary metrics Azure AutoML offers for classification, in its Python spelling. */
export type PrimaryMetric =
  | 'AUC_weighted'
  | 'accuracy'
  | 'AUC_macro'
  | 'average_precision_score_weighted'
  | 'f1_score_weighted'
  | 'log_loss'
  | 'norm_macro_recall';

export interface AutoMLSettings {
  /** Column to predict. */
  target: string;
  primaryMetric?: PrimaryMetric;
  /** Whole experiment budget in seconds (Azure's limitSettings.timeout). */
  timeoutSeconds: number;
  trialTimeoutSeconds?: number;
  maxTrials?: number;
  maxConcurrentTrials?: number;
  /** Stop as soon as a trial reaches this primary-metric value (Azure's exitScore). */
  exitScore?: number;
  enableEarlyTermination?: boolean;
  /** Build the ensemble of trials (Azure's VotingEnsemble); default true. */
  enableEnsemble?: boolean;
  seed?: number;
  /** Number of cross-validation folds (Azure's n_cross_validations); unset = chosen from data size and budget. */
  nCrossValidations?: number;
  /** Holdout fraction for validation (Azure's validation_size); used when cross-validation is not. */
  validationSize?: number;
}

/** Metrics on validation data; every metric listed in PrimaryMetric. */
export type Metrics = Record<PrimaryMetric, number>;

export interface TrialResult {
  trialId: number;
  algorithm: string;
  hyperparameters: Record<string, number | string | boolean>;
  metrics: Metrics;
  trainSeconds: number;
  status: 'Completed' | 'Failed' | 'Canceled';
  error?: string;
}

export interface Guardrail {
  name: string; // e.g. 'Class balancing detection', 'Missing feature values imputation'
  status: 'passed' | 'done' | 'alerted';
  detail: string;
}

export interface FeatureImportance {
  column: string;
  importance: number;
}

/** Progress reported while an experiment runs; the caller shows or records it. */
export interface AutoMLProgress {
  trialsDone: number;
  bestMetric?: number;
  bestAlgorithm?: string;
  lastTrial?: TrialResult;
}

export interface AutoMLResult {
  primaryMetric: PrimaryMetric;
  validation: { method: 'holdout' | 'cv'; folds?: number; holdoutFraction?: number };
  guardrails: Guardrail[];
  leaderboard: TrialResult[]; // best first
  best: TrialResult;
  explanation: FeatureImportance[]; // on raw columns, most important first
  artifact: ModelArtifact;
}

/**
 * A trained model as one JSON document: featurizer, model(s) and input schema — everything a
 * scoring server needs to predict from raw rows. `model` is engine-specific and opaque to callers.
 */
export interface ModelArtifact {
  format: 'amlops-model';
  formatVersion: 1;
  target: string;
  classes: string[]; // class labels; probabilities are reported in this order
  inputSchema: ColumnSchema[];
  algorithm: string;
  metrics: Metrics;
  /** Engine-specific: featurizer and fitted learners. */
  model: unknown;
  /** A few real training rows (inputs only), used for Swagger examples and smoke tests. */
  exampleRows: RawRow[];
}

/** A loaded artifact, ready to score raw rows. */
export interface LoadedModel {
  readonly artifact: ModelArtifact;
  readonly inputSchema: ColumnSchema[];
  readonly classes: string[];
  /** Probabilities per row, one entry per class in `classes` order. */
  predictProba(rows: RawRow[]): number[][];
  /** Most probable class label per row. */
  predict(rows: RawRow[]): string[];
}

// The steps of one AutoML experiment as pure functions: prepare data once, run a trial, pick the final model
// (ensemble), explain it and package the artifact.
import { applyBins, binCounts, type BinMapperSpec, fitBins } from './binning';
import { caruanaSelect } from './ensemble';
import { DatasetError } from './errors';
import { Featurizer, type FeaturizerSpec } from './featurizer';
import { type DroppedColumn, inferDataset, inferTarget } from './infer';
import {
  fitForClasses,
  type Frame,
  type Hyperparameters,
  learnerFor,
  loadForClasses,
  type TrainingData,
} from './learners';
import { computeMetrics, metricValue, METRIC_NAMES, predWidth, scoreOf } from './metrics';
import { type EngineModelJSON, EnsemblePredictor, type MemberJSON } from './model';
import { Rng } from './rng';
import { shuffledByClass, stratifiedHoldout } from './split';
import type { TrialConfig } from './search';
import { tableRows, type Table } from './table';
import type {
  AutoMLResult,
  AutoMLSettings,
  FeatureImportance,
  Guardrail,
  Metrics,
  ModelArtifact,
  PrimaryMetric,
  RawRow,
  TrialResult,
} from './types';

export type ValidationPlan =
  | { method: 'holdout'; holdoutFraction: number; trainIdx: Uint32Array; validIdx: Uint32Array }
  | { method: 'cv'; folds: number; foldOf: Uint8Array };

/** Everything trials need, as plain data and typed arrays (cheap to post to worker threads). */
export interface PreparedExperiment {
  target: string;
  primaryMetric: PrimaryMetric;
  seed: number;
  classes: string[];
  data: TrainingData;
  featurizer: FeaturizerSpec;
  bins: BinMapperSpec;
  validation: ValidationPlan;
  /** Rows whose predictions a trial returns (validation rows, or every row for out-of-fold CV). */
  evalIdx: Uint32Array;
  /** Class index (into classes) of each evaluation row. */
  evalY: Uint8Array;
  guardrails: Guardrail[];
  dropped: DroppedColumn[];
  exampleRows: RawRow[];
}

export interface TrialOutput {
  /** Probabilities for prep.evalIdx, in that order, predWidth(classes) columns per row (see metrics.predWidth). */
  preds: Float64Array;
  metrics: Metrics;
  score: number;
  cost: number;
  bestIteration?: number;
  /** Scoring work per row of the fitted model (tree-node visits), to keep ensembles fast to score. */
  scoreCost: number;
  /** Fitted learner (holdout only: under CV the final model is refitted on all rows). */
  model?: unknown;
}

/** A finished trial as the experiment keeps it until the end. */
export interface TrialRecord {
  result: TrialResult;
  score: number;
  cost: number;
  preds?: Float64Array;
  model?: unknown;
  bestIteration?: number;
  scoreCost?: number;
}

export const DEFAULT_SEED = 42;

export function resolveSettings(
  s: AutoMLSettings,
): Required<Pick<AutoMLSettings, 'primaryMetric' | 'seed' | 'enableEnsemble'>> & AutoMLSettings {
  const invalid = (message: string) => new DatasetError('InvalidSettings', message);
  if (!(s.timeoutSeconds > 0)) {
    throw invalid(`timeoutSeconds must be a positive number of seconds (got ${s.timeoutSeconds}).`);
  }
  if (s.maxTrials !== undefined && !(s.maxTrials >= 1)) {
    throw invalid(`maxTrials must be at least 1 (got ${s.maxTrials}).`);
  }
  if (s.validationSize !== undefined && !(s.validationSize > 0 && s.validationSize < 1)) {
    throw invalid(`validationSize must be a fraction between 0 and 1 (got ${s.validationSize}).`);
  }
  const cv = s.nCrossValidations;
  if (cv !== undefined && !(Number.isInteger(cv) && cv >= 2 && cv <= 10)) {
    throw invalid(`nCrossValidations must be an integer from 2 to 10 (got ${cv}).`);
  }
  const primaryMetric = s.primaryMetric ?? 'AUC_weighted';
  if (!METRIC_NAMES.includes(primaryMetric)) {
    throw invalid(`Unknown primary metric "${primaryMetric}"; use one of ${METRIC_NAMES.join(', ')}.`);
  }
  return { ...s, primaryMetric, seed: s.seed ?? DEFAULT_SEED, enableEnsemble: s.enableEnsemble ?? true };
}

/**
 * Holdout for large data (trials are cheap to compare), k-fold cross-validation for small data;
 * the settings' nCrossValidations / validationSize override the choice.
 */
function chooseValidation(y: Uint8Array, nClasses: number, rng: Rng, s: AutoMLSettings, nodes: number): ValidationPlan {
  const n = y.length;
  const byClass = shuffledByClass(y, nClasses, rng);
  // Cross-validation costs k fits per trial but lets every row both choose and train the model:
  // worth it for small data, and for mid-sized data when the budget (node-seconds) is generous.
  const generous = n <= 100_000 && s.timeoutSeconds * nodes >= n / 250;
  const wantCv =
    s.nCrossValidations !== undefined
      ? s.nCrossValidations >= 2
      : s.validationSize === undefined && (n < 20000 || generous);
  if (!wantCv) {
    const holdoutFraction = s.validationSize ?? 0.15;
    const { trainIdx, heldOutIdx } = stratifiedHoldout(byClass, holdoutFraction);
    return { method: 'holdout', holdoutFraction, trainIdx, validIdx: heldOutIdx };
  }
  const folds = Math.min(10, s.nCrossValidations ?? (n < 2000 ? 5 : 3));
  const foldOf = new Uint8Array(n);
  for (const c of byClass) c.forEach((row, i) => (foldOf[row] = i % folds));
  return { method: 'cv', folds, foldOf };
}

/**
 * The same values in memory that worker threads share when the array is posted to them (a
 * SharedArrayBuffer), instead of each receiving a copy; nothing writes to these arrays after.
 */
function shared<T extends Float64Array | Uint8Array>(a: T): T {
  const buffer = new SharedArrayBuffer(a.byteLength);
  const out = (a instanceof Float64Array ? new Float64Array(buffer) : new Uint8Array(buffer)) as T;
  out.set(a);
  return out;
}

/**
 * Infers the schema, featurizes and bins every row once, and fixes the validation split
 * (`nodes`: how many trials will run at once, which decides whether cross-validation is affordable).
 */
export function prepareExperiment(table: Table, settings: AutoMLSettings, nodes = 1): PreparedExperiment {
  const s = resolveSettings(settings);
  // Split first, so that holdout labels take no part in featurization (category order).
  const target = inferTarget(table, s.target);
  const validation = chooseValidation(target.y, target.classes.length, new Rng(s.seed), s, nodes);
  let labelRows: Uint8Array | undefined;
  if (validation.method === 'holdout') {
    labelRows = new Uint8Array(validation.trainIdx.length + validation.validIdx.length);
    for (const i of validation.trainIdx) labelRows[i] = 1;
  }
  const inf = inferDataset(table, s.target, { labelRows });
  const featurizer = new Featurizer(inf.featurizer);
  const rows = tableRows(table, inf.rowIndex);
  const n = rows.length;
  const X = shared(featurizer.transform(rows));
  const F = featurizer.nFeatures;
  const bins = fitBins(X, n, F);
  const data: TrainingData = {
    nRows: n,
    nFeatures: F,
    X,
    bins: shared(applyBins(bins, X, n)),
    nBins: binCounts(bins),
    y: shared(inf.y),
    features: inf.featurizer.features,
  };
  const evalIdx = validation.method === 'holdout' ? validation.validIdx : Uint32Array.from({ length: n }, (_, i) => i);
  const evalY = Uint8Array.from(evalIdx, (i) => inf.y[i]);
  const guardrails: Guardrail[] = [
    {
      name: 'Validation split handling',
      status: 'done',
      detail:
        validation.method === 'holdout'
          ? `Holdout validation: a stratified ${Math.round(validation.holdoutFraction * 100)}% of ${n} rows, ` +
            'since the data is large enough to compare models on it.'
          : `${validation.folds}-fold stratified cross-validation` +
            (n < 20000
              ? `, since ${n} rows are too few for a reliable holdout`
              : `, since the budget allows it for ${n} rows`) +
            '; the final model is refitted on all rows.',
    },
    ...inf.guardrails,
  ];
  const exampleRows = rows.slice(0, 5).map((r) => {
    const o: RawRow = {};
    for (const c of table.columns) if (c !== s.target) o[c] = r[c];
    return o;
  });
  return {
    target: s.target,
    primaryMetric: s.primaryMetric,
    seed: s.seed,
    classes: inf.classes,
    data,
    featurizer: inf.featurizer,
    bins,
    validation,
    evalIdx,
    evalY,
    guardrails,
    dropped: inf.dropped,
    exampleRows,
  };
}

/** Fits one configuration under the experiment's validation plan and scores it. Pure and deterministic. */
export function runTrial(prep: PreparedExperiment, config: TrialConfig, seed: number): TrialOutput {
  const learner = learnerFor(config.algorithm);
  const d = prep.data;
  const v = prep.validation;
  const K = prep.classes.length;
  const W = predWidth(K);
  let preds: Float64Array;
  let model: unknown;
  let bestIteration: number | undefined;
  let scoreCost = 0;
  if (v.method === 'holdout') {
    const fitted = fitForClasses(learner, d, v.trainIdx, v.validIdx, config.hyperparameters, seed, K);
    preds = fitted.predict(d, v.validIdx);
    model = fitted.toJSON();
    bestIteration = fitted.bestIteration;
    scoreCost = fitted.pathLength();
  } else {
    preds = new Float64Array(d.nRows * W);
    let iters = 0;
    for (let k = 0; k < v.folds; k++) {
      const tr: number[] = [];
      const va: number[] = [];
      for (let i = 0; i < d.nRows; i++) (v.foldOf[i] === k ? va : tr).push(i);
      const vIdx = Uint32Array.from(va);
      const fitted = fitForClasses(learner, d, Uint32Array.from(tr), vIdx, config.hyperparameters, seed + k * 101, K);
      const p = fitted.predict(d, vIdx);
      for (let i = 0; i < va.length; i++) for (let j = 0; j < W; j++) preds[va[i] * W + j] = p[i * W + j];
      iters += fitted.bestIteration ?? 0;
      scoreCost = Math.max(scoreCost, fitted.pathLength());
    }
    if (iters > 0) bestIteration = Math.max(1, Math.round(iters / v.folds));
  }
  const metrics = computeMetrics(prep.evalY, preds, K);
  const nTrain = v.method === 'holdout' ? v.trainIdx.length : d.nRows;
  const fits = v.method === 'cv' ? v.folds : 1;
  const cost = learner.cost(config.hyperparameters, nTrain, d.nFeatures, bestIteration) * fits * W;
  const score = scoreOf(prep.primaryMetric, metrics[prep.primaryMetric]);
  return { preds, metrics, score, cost, bestIteration, scoreCost, model };
}

/** Refits a configuration on every row (cross-validation's final model), with as many trees as validation chose. */
export function refitOnAllRows(
  prep: PreparedExperiment,
  config: TrialConfig,
  bestIteration: number | undefined,
  seed: number,
): unknown {
  const hp: Hyperparameters = { ...config.hyperparameters };
  if (bestIteration !== undefined) {
    hp.nEstimators = bestIteration;
    hp.earlyStoppingRounds = 0;
  }
  const all = Uint32Array.from({ length: prep.data.nRows }, (_, i) => i);
  return fitForClasses(learnerFor(config.algorithm), prep.data, all, undefined, hp, seed, prep.classes.length).toJSON();
}

/** Trials kept for the ensemble library and refits: the best few by primary metric. */
export const LIBRARY_SIZE = 12;
/**
 * Scoring budget in tree-node visits per row (~10 µs at ~5 ns a visit). The final model stays
 * within it unless only a model over it is clearly better (by more than SCORE_COST_TOLERANCE).
 */
export const MAX_SCORE_COST = 2000;
export const SCORE_COST_TOLERANCE = 0.001;
/**
 * No final model costs more than this per row while a completed trial is within it, whatever its metric:
 * the scoring server's latency target (a 1,000-row request in under 20 ms) rests on it. About 12 ms of
 * tree walking per 1,000 rows on one core here (bench:serve).
 */
export const HARD_MAX_SCORE_COST = 4000;

export interface FinalChoice {
  /** Trial ids and weights of the final model's members. */
  members: { trialId: number; weight: number }[];
  ensemble: boolean;
  /** Why a faster model was preferred over the top trial, if it was. */
  note?: string;
}

/**
 * Picks the final model: the best trial (or, if nearly as good and much cheaper to score, the
 * best fast one), replaced by a Caruana ensemble of the best trials if that beats it on validation.
 */
export function chooseFinal(prep: PreparedExperiment, records: TrialRecord[], enableEnsemble: boolean): FinalChoice {
  const done = records.filter((r) => r.result.status === 'Completed' && r.preds && Number.isFinite(r.score));
  if (done.length === 0) {
    throw new Error('No trial completed within the budget; raise timeoutSeconds or trialTimeoutSeconds.');
  }
  const cost = (r: TrialRecord) => r.scoreCost ?? 0;
  const all = [...done].sort((a, b) => b.score - a.score || a.result.trialId - b.result.trialId);
  const affordable = all.filter((r) => cost(r) <= HARD_MAX_SCORE_COST);
  const ranked = affordable.length > 0 ? affordable : all;
  const top = ranked[0];
  let base = top;
  let note: string | undefined;
  if (top !== all[0]) {
    note =
      `Trial ${all[0].result.trialId} (${prep.primaryMetric} ${all[0].score.toFixed(4)}) was passed over: ` +
      `it scores at ${Math.round(cost(all[0]))} tree-node visits per row, ` +
      `over the ${HARD_MAX_SCORE_COST} a deployment's latency target allows; ` +
      `trial ${top.result.trialId} (${top.score.toFixed(4)}) is the best within it.`;
  }
  const passedOver = note;
  if (cost(top) > MAX_SCORE_COST) {
    const fast = ranked.find((r) => cost(r) <= MAX_SCORE_COST);
    if (fast && fast.score >= top.score - SCORE_COST_TOLERANCE) {
      base = fast;
      note =
        (note ? `${note} ` : '') +
        `Trial ${fast.result.trialId} was chosen over trial ${top.result.trialId}: ` +
        `its ${prep.primaryMetric} is within ${SCORE_COST_TOLERANCE} ` +
        `and it scores about ${(cost(top) / Math.max(1, cost(fast))).toFixed(1)}x faster ` +
        `(${Math.round(cost(fast))} vs ${Math.round(cost(top))} tree-node visits per row).`;
    }
  }
  const single: FinalChoice = { members: [{ trialId: base.result.trialId, weight: 1 }], ensemble: false, note };
  if (!enableEnsemble || ranked.length < 2) return single;
  const lib = ranked.slice(0, LIBRARY_SIZE);
  const choice = caruanaSelect(
    prep.evalY,
    lib.map((r) => r.preds!),
    prep.primaryMetric,
    25,
    lib.map(cost),
    Math.max(MAX_SCORE_COST, cost(base)),
    prep.classes.length,
  );
  if (choice.weights.size < 2 || !(choice.score > base.score + 1e-9)) return single;
  const members = [...choice.weights.entries()].map(([k, w]) => ({ trialId: lib[k].result.trialId, weight: w }));
  return { members, ensemble: true, note: passedOver };
}

function sampleFrame(d: TrainingData, idx: Uint32Array): Frame {
  const F = d.nFeatures;
  const X = new Float64Array(idx.length * F);
  const bins = new Uint8Array(idx.length * F);
  for (let i = 0; i < idx.length; i++) {
    X.set(d.X.subarray(idx[i] * F, idx[i] * F + F), i * F);
    bins.set(d.bins.subarray(idx[i] * F, idx[i] * F + F), i * F);
  }
  return { nRows: idx.length, nFeatures: F, X, bins };
}

/**
 * Permutation importance on raw columns (one feature per kept column): drop of the primary metric when the column is
 * shuffled.
 */
export function permutationImportance(
  prep: PreparedExperiment,
  predictor: EnsemblePredictor,
  maxRows = 1000,
): FeatureImportance[] {
  const rng = new Rng(prep.seed + 7);
  const pool = Array.from(prep.evalIdx);
  rng.shuffle(pool);
  const idx = Uint32Array.from(pool.slice(0, maxRows));
  const y = Uint8Array.from(idx, (i) => prep.data.y[i]);
  const frame = sampleFrame(prep.data, idx);
  const all = Uint32Array.from({ length: idx.length }, (_, i) => i);
  const m = prep.primaryMetric;
  const K = prep.classes.length;
  const base = scoreOf(m, metricValue(m, y, predictor.predict(frame, all), K));
  const F = frame.nFeatures;
  const out: FeatureImportance[] = [];
  const perm = Array.from(all);
  for (let f = 0; f < F; f++) {
    rng.shuffle(perm);
    const xs = Float64Array.from(all, (i) => frame.X[i * F + f]);
    const bs = Uint8Array.from(all, (i) => frame.bins[i * F + f]);
    for (let i = 0; i < idx.length; i++) {
      frame.X[i * F + f] = xs[perm[i]];
      frame.bins[i * F + f] = bs[perm[i]];
    }
    const s = scoreOf(m, metricValue(m, y, predictor.predict(frame, all), K));
    for (let i = 0; i < idx.length; i++) {
      frame.X[i * F + f] = xs[i];
      frame.bins[i * F + f] = bs[i];
    }
    out.push({ column: prep.featurizer.features[f].name, importance: Math.max(0, base - s) });
  }
  for (const d of prep.dropped) out.push({ column: d.column, importance: 0 });
  return out.sort((a, b) => b.importance - a.importance);
}

/**
 * Assembles the result: the final model (members' fitted params given by the caller, refitted or
 * not), its validation metrics computed through the artifact's own code path, leaderboard,
 * explanation and artifact.
 */
export function buildResult(
  prep: PreparedExperiment,
  records: TrialRecord[],
  choice: FinalChoice,
  memberParams: Map<number, unknown>,
): AutoMLResult {
  const byId = new Map(records.map((r) => [r.result.trialId, r]));
  const members: MemberJSON[] = choice.members.map((m) => {
    const r = byId.get(m.trialId)!;
    return {
      algorithm: r.result.algorithm,
      weight: m.weight,
      hyperparameters: r.result.hyperparameters,
      params: memberParams.get(m.trialId),
    };
  });
  const K = prep.classes.length;
  const predictor = new EnsemblePredictor(
    members.map((m) => ({ learner: loadForClasses(learnerFor(m.algorithm), m.params, K), weight: m.weight })),
  );
  // Validation predictions of the final model: scored by the model itself on holdout rows; under
  // CV the refitted model has seen every row, so the members' out-of-fold predictions are combined.
  let finalPreds: Float64Array;
  if (prep.validation.method === 'holdout') finalPreds = predictor.predict(prep.data, prep.evalIdx);
  else {
    finalPreds = new Float64Array(prep.evalIdx.length * predWidth(K));
    for (const m of choice.members) {
      const p = byId.get(m.trialId)!.preds!;
      for (let i = 0; i < finalPreds.length; i++) finalPreds[i] += m.weight * p[i];
    }
  }
  const finalMetrics = computeMetrics(prep.evalY, finalPreds, K);
  const leaderboard: TrialResult[] = records.map((r) => r.result);
  let best: TrialResult;
  if (choice.ensemble) {
    best = {
      trialId: records.reduce((a, r) => Math.max(a, r.result.trialId), -1) + 1,
      algorithm: 'VotingEnsemble',
      hyperparameters: Object.fromEntries(
        choice.members.map((m) => [`trial_${m.trialId}`, Number(m.weight.toFixed(4))]),
      ),
      metrics: finalMetrics,
      trainSeconds: choice.members.reduce((a, m) => a + byId.get(m.trialId)!.result.trainSeconds, 0),
      status: 'Completed',
    };
    leaderboard.push(best);
  } else {
    best = byId.get(choice.members[0].trialId)!.result;
  }
  const pm = prep.primaryMetric;
  const key = (t: TrialResult) =>
    t.status === 'Completed' && Number.isFinite(t.metrics[pm]) ? scoreOf(pm, t.metrics[pm]) : -Infinity;
  leaderboard.sort((a, b) => key(b) - key(a) || a.trialId - b.trialId);
  const featurizer = new Featurizer(prep.featurizer);
  const model: EngineModelJSON = { engine: 'amlops-automl', featurizer: prep.featurizer, bins: prep.bins, members };
  const artifact: ModelArtifact = {
    format: 'amlops-model',
    formatVersion: 1,
    target: prep.target,
    classes: prep.classes,
    inputSchema: featurizer.inputSchema(),
    algorithm: best.algorithm,
    metrics: finalMetrics,
    model,
    exampleRows: prep.exampleRows,
  };
  const guardrails = choice.note
    ? [...prep.guardrails, { name: 'Scoring latency', status: 'done' as const, detail: choice.note }]
    : prep.guardrails;
  return {
    primaryMetric: pm,
    validation:
      prep.validation.method === 'holdout'
        ? { method: 'holdout', holdoutFraction: prep.validation.holdoutFraction }
        : { method: 'cv', folds: prep.validation.folds },
    guardrails,
    leaderboard,
    best,
    explanation: permutationImportance(prep, predictor),
    artifact,
  };
}

/** A failed or canceled trial's metrics: every metric NaN (serialised as null). */
export function emptyMetrics(): Metrics {
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, NaN])) as Metrics;
}

/** Seed of trial `id`, so a trial is reproducible alone. */
export function trialSeed(seed: number, id: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 2654435761) + id * 7919) >>> 0;
}

// Messages between the experiment runner and its trial worker threads.
import type { PreparedExperiment, TrialConfig, TrialOutput } from '../automl';

export type ToWorker =
  | { type: 'init'; prep: PreparedExperiment }
  | { type: 'trial'; id: number; config: TrialConfig; seed: number }
  | { type: 'refit'; id: number; config: TrialConfig; bestIteration?: number; seed: number };

export type FromWorker =
  | { type: 'trial'; id: number; seconds: number; output?: TrialOutput; error?: string }
  | { type: 'refit'; id: number; params?: unknown; error?: string };

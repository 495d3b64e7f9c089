// Adapts the training room's runExperiment (src/training) to the emulator's TrainingInput; the only file that knows its API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runExperiment } from '../../training';
import type { AutoMLProgress, AutoMLResult, TrialResult } from '../../automl/types';
import type { TrainingInput } from './engine';

/** runExperiment reads a CSV file: the table's files become one CSV (one header) in the job's working directory. */
export async function runTraining(input: TrainingInput, signal: AbortSignal, onTrial: (t: TrialResult, p: AutoMLProgress) => void): Promise<AutoMLResult> {
  mkdirSync(input.workDir, { recursive: true });
  const csvPath = join(input.workDir, 'training-data.csv');
  const parts = input.csvTexts.map((text, i) => {
    const body = i === 0 ? text : text.slice(text.indexOf('\n') + 1);
    return body.endsWith('\n') ? body : `${body}\n`;
  });
  writeFileSync(csvPath, parts.join(''));
  return runExperiment({
    csvPath,
    settings: input.settings,
    nodes: input.settings.maxConcurrentTrials,
    signal,
    onProgress: (p) => {
      if (p.lastTrial) onTrial(p.lastTrial, p);
    },
  });
}

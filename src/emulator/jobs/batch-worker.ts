// Worker-thread entry for batch scoring: scores one mini-batch of rows with the model and returns predictions.
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel } from '../../automl';
import type { ModelArtifact, RawRow } from '../../automl/types';

const model = loadModel(workerData as ModelArtifact);
parentPort?.on('message', (m: { id: number; rows: RawRow[] }) => {
  try {
    const proba = model.predictProba(m.rows);
    parentPort?.postMessage({ id: m.id, labels: model.predict(m.rows), proba, classes: model.classes });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: (err as Error).message });
  }
});

// A trial worker thread (one per "node"): holds the prepared data and runs trials and refits the runner sends it.
import { parentPort } from 'node:worker_threads';
import { type PreparedExperiment, refitOnAllRows, runTrial } from '../automl';
import type { FromWorker, ToWorker } from './protocol';
import { lowerThreadPriority } from './priority';

lowerThreadPriority();

let prep: PreparedExperiment | undefined;

function send(msg: FromWorker): void {
  // Predictions are transferred, not copied.
  const transfer = msg.type === 'trial' && msg.output ? [msg.output.preds.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(msg, transfer);
}

parentPort!.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    prep = msg.prep;
    return;
  }
  if (!prep) throw new Error('trial worker used before init');
  if (msg.type === 'trial') {
    const t0 = performance.now();
    try {
      const output = runTrial(prep, msg.config, msg.seed);
      send({ type: 'trial', id: msg.id, seconds: (performance.now() - t0) / 1000, output });
    } catch (e) {
      send({ type: 'trial', id: msg.id, seconds: (performance.now() - t0) / 1000, error: (e as Error).message });
    }
  } else {
    try {
      send({ type: 'refit', id: msg.id, params: refitOnAllRows(prep, msg.config, msg.bestIteration, msg.seed) });
    } catch (e) {
      send({ type: 'refit', id: msg.id, error: (e as Error).message });
    }
  }
});

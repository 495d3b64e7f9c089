// Training threads lower their own CPU priority and nothing else's: the thread that starts them (the workspace's
// front end, which proxies every scoring request) keeps normal priority.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TRAINING_NICE } from '../../../src/training';

/** Nice value of every thread of this process, from /proc (Linux, where amlops runs its tests). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis; nice is field 19 of stat, the 17th of these.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('lowerThreadPriority nices the calling thread only', async () => {
  const before = getPriority(0);
  const priorityModule = join(__dirname, '../../../src/training/priority.js');
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     require(${JSON.stringify(priorityModule)}).lowerThreadPriority();
     parentPort.postMessage('lowered');
     setInterval(() => {}, 1000);`,
    { eval: true },
  );
  try {
    await new Promise((done) => worker.once('message', done));
    expect(threadNices().filter((n) => n === Math.min(19, before + TRAINING_NICE))).toHaveLength(1);
    expect(getPriority(0)).toBe(before);
  } finally {
    await worker.terminate();
  }
});

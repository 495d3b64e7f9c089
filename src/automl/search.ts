// Cost-frugal hyperparameter search (after FLAML's CFO): cheap starts, a few strong defaults,
// then randomized local search per learner, choosing the learner with the lowest estimated cost of improvement.
import { type Dim, type Hyperparameters, type LearnerSpec } from './learners';
import { Rng } from './rng';

export interface TrialConfig {
  algorithm: string;
  hyperparameters: Hyperparameters;
}

interface Proposal {
  learner: number;
  x: number[] | undefined; // normalised point, when it came from local search
  mirrorOf?: number[]; // direction already tried (+u); on failure try -u next
}

interface LearnerState {
  spec: LearnerSpec;
  rng: Rng;
  best: number;
  bestX: number[];
  bestCost: number;
  trials: number;
  step: number;
  fails: number;
  pendingMirror: number[][];
}

function toX(space: Dim[], hp: Hyperparameters): number[] {
  return space.map((d) => {
    const v = hp[d.name] as number;
    const t = d.log ? (Math.log(v) - Math.log(d.lo)) / (Math.log(d.hi) - Math.log(d.lo)) : (v - d.lo) / (d.hi - d.lo);
    return Math.min(1, Math.max(0, t));
  });
}

function fromX(space: Dim[], x: number[]): Hyperparameters {
  const hp: Hyperparameters = {};
  space.forEach((d, i) => {
    const t = Math.min(1, Math.max(0, x[i]));
    let v = d.log ? Math.exp(Math.log(d.lo) + t * (Math.log(d.hi) - Math.log(d.lo))) : d.lo + t * (d.hi - d.lo);
    v = d.int ? Math.round(v) : Number(v.toPrecision(4));
    hp[d.name] = v;
  });
  return hp;
}

/**
 * Ask/tell search. Deterministic: proposals depend only on the seed and on results told so far,
 * in the order told — the caller must tell results in trial order to reproduce a leaderboard.
 */
export class Searcher {
  private readonly queue: Proposal[] = [];
  private readonly states: LearnerState[];
  private readonly pending = new Map<number, Proposal>();
  private nextId = 0;
  private globalBest = -Infinity;

  constructor(learners: LearnerSpec[], seed: number) {
    const rng = new Rng(seed);
    this.states = learners.map((spec, i) => ({
      spec,
      rng: rng.fork(i + 1),
      best: -Infinity,
      bestX: toX(spec.space, spec.lowCost),
      bestCost: Infinity,
      trials: 0,
      step: 0.1 * Math.sqrt(spec.space.length),
      fails: 0,
      pendingMirror: [],
    }));
    // Start cheap: one low-cost trial per learner, then each learner's strong defaults.
    this.states.forEach((_, i) => this.queue.push({ learner: i, x: undefined }));
    this.states.forEach((s, i) =>
      s.spec.defaults.forEach((_, k) => this.queue.push({ learner: i, x: toX(s.spec.space, s.spec.defaults[k]) })),
    );
  }

  /** The next configuration to try; `id` must be passed back to tell(). */
  ask(): { id: number; config: TrialConfig } {
    const id = this.nextId++;
    let prop = this.queue.shift();
    if (!prop) prop = this.propose();
    this.pending.set(id, prop);
    const st = this.states[prop.learner];
    const hp = prop.x ? fromX(st.spec.space, prop.x) : { ...st.spec.lowCost };
    return { id, config: { algorithm: st.spec.algorithm, hyperparameters: hp } };
  }

  /** Records a finished trial: its score (higher is better; undefined if it failed) and cost. */
  tell(id: number, score: number | undefined, cost: number): void {
    const prop = this.pending.get(id);
    if (!prop) return;
    this.pending.delete(id);
    const st = this.states[prop.learner];
    st.trials++;
    const x = prop.x ?? toX(st.spec.space, st.spec.lowCost);
    if (score !== undefined && score > st.best + 1e-9) {
      st.best = score;
      st.bestX = x;
      st.bestCost = cost;
      st.fails = 0;
      if (score > this.globalBest) this.globalBest = score;
      return;
    }
    if (prop.mirrorOf) {
      st.pendingMirror.push(prop.mirrorOf);
      return;
    }
    st.fails++;
    if (st.fails >= 2 * st.spec.space.length) {
      st.step *= 0.5;
      st.fails = 0;
      if (st.step < 0.01) st.step = 0.1 * Math.sqrt(st.spec.space.length); // converged: widen again
    }
  }

  /** Local search step for the learner with the lowest estimated cost of improvement. */
  private propose(): Proposal {
    let pick = 0;
    let bestEci = Infinity;
    this.states.forEach((s, i) => {
      if (!Number.isFinite(s.best)) return;
      // Cost of one more trial, inflated by how far the learner trails the best one (AUC-scale gaps).
      const gap = Math.max(0, this.globalBest - s.best);
      const eci =
        (Number.isFinite(s.bestCost) ? s.bestCost : 1) * Math.exp(Math.min(gap / 0.004, 50)) * (1 + 0.02 * s.trials);
      if (eci < bestEci) {
        bestEci = eci;
        pick = i;
      }
    });
    const st = this.states[pick];
    const mirror = st.pendingMirror.shift();
    if (mirror) return { learner: pick, x: st.bestX.map((v, i) => v - st.step * mirror[i]) };
    const d = st.spec.space.length;
    const u = Array.from({ length: d }, () => st.rng.normal());
    const norm = Math.sqrt(u.reduce((a, b) => a + b * b, 0)) || 1;
    const dir = u.map((v) => v / norm);
    return { learner: pick, x: st.bestX.map((v, i) => v + st.step * dir[i]), mirrorOf: dir };
  }
}

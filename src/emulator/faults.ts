// Fault injection: per-operation rates of 429/500/503 and slow answers, and one-shot failures of the next N calls;
// a rule naming a deployment acts on that deployment's scoring answers instead of on ARM calls.
import { z } from 'zod';

export const FaultRuleSchema = z.object({
  /** Azure operationId to match (e.g. Jobs_CreateOrUpdate); omitted = any operation. */
  operation: z.string().optional(),
  method: z.string().optional(),
  /** Case-insensitive substring of the request path. */
  pathContains: z.string().optional(),
  /** Makes the rule act on this deployment's scoring answers ('*': every deployment's), mirrored ones included. */
  deployment: z.string().optional(),
  /** With `deployment`: only that endpoint's deployment. */
  endpoint: z.string().optional(),
  /** Status to answer with; 429 and 503 carry Retry-After. */
  status: z.union([z.literal(429), z.literal(500), z.literal(503)]).default(500),
  /** Probability (0..1) that a matching call fails. */
  rate: z.number().min(0).max(1).optional(),
  /** One-shot: fail exactly the next `count` matching calls, then stop matching. */
  count: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().min(0).default(1),
  /** Delay before answering (the call still succeeds unless it also fails). */
  delayMs: z.number().int().min(0).optional(),
  delayRate: z.number().min(0).max(1).default(1),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;
export const FaultRulesSchema = z.array(FaultRuleSchema);

export interface FaultDecision {
  delayMs: number;
  fail?: { status: number; retryAfterSeconds: number };
}

export interface FaultTarget {
  method: string;
  path: string;
  operation?: string;
  /** Set for a scoring request that has reached a deployment. */
  deployment?: string;
  endpoint?: string;
}

export class Faults {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Rules from AMLOPS_EMULATOR_FAULTS (a JSON array of rules), so a spawned emulator can start faulty. */
  static fromEnv(value: string | undefined): FaultRule[] {
    if (!value) return [];
    return FaultRulesSchema.parse(JSON.parse(value));
  }

  set(rules: FaultRule[]): void {
    this.rules = [...rules];
  }

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  decide(target: FaultTarget): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const rule of this.rules) {
      if (!matches(rule, target)) continue;
      if (rule.delayMs && this.random() < rule.delayRate) decision.delayMs = Math.max(decision.delayMs, rule.delayMs);
      if (decision.fail) continue;
      if (rule.count !== undefined) {
        rule.count -= 1;
        decision.fail = { status: rule.status, retryAfterSeconds: rule.retryAfterSeconds };
      } else if (rule.rate !== undefined && this.random() < rule.rate) {
        decision.fail = { status: rule.status, retryAfterSeconds: rule.retryAfterSeconds };
      }
    }
    // Spent one-shot rules disappear so `list()` shows what is still armed.
    this.rules = this.rules.filter((r) => r.count === undefined || r.count > 0);
    return decision;
  }
}

function matches(rule: FaultRule, t: FaultTarget): boolean {
  // Deployment rules and ARM rules never see each other's calls.
  if ((rule.deployment === undefined) !== (t.deployment === undefined)) return false;
  if (rule.deployment && rule.deployment !== '*' && !same(rule.deployment, t.deployment)) return false;
  if (rule.endpoint && !same(rule.endpoint, t.endpoint)) return false;
  if (rule.operation && rule.operation !== '*' && rule.operation.toLowerCase() !== (t.operation ?? '').toLowerCase())
    return false;
  if (rule.method && rule.method.toUpperCase() !== t.method.toUpperCase()) return false;
  if (rule.pathContains && !t.path.toLowerCase().includes(rule.pathContains.toLowerCase())) return false;
  return true;
}

const same = (a: string, b: string | undefined): boolean => a.toLowerCase() === (b ?? '').toLowerCase();

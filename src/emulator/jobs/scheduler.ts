// Schedules that fire: one timer per enabled schedule, submitting its CreateJob action's job at each trigger time.
import { nextCron, nextRecurrence, parseCron } from './cron';

export interface ScheduleTrigger {
  triggerType: 'Cron' | 'Recurrence';
  expression?: string;
  frequency?: string;
  interval?: number;
  startTime?: string;
  endTime?: string;
}

export interface SchedulerDeps {
  /** Submits the schedule's job; returns the job name. */
  fire(scheduleName: string, firedAt: Date): string;
  onError(scheduleName: string, err: unknown): void;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: SchedulerDeps) {}

  static next(trigger: ScheduleTrigger, after: Date): Date | undefined {
    const end = trigger.endTime ? new Date(trigger.endTime) : undefined;
    let next: Date | undefined;
    if (trigger.triggerType === 'Cron') {
      const spec = parseCron(trigger.expression ?? '');
      next = typeof spec === 'string' ? undefined : nextCron(spec, after);
    } else {
      next = nextRecurrence(
        trigger.frequency ?? 'Day',
        trigger.interval ?? 1,
        trigger.startTime ? new Date(trigger.startTime) : after,
        after,
      );
    }
    return next && (!end || next <= end) ? next : undefined;
  }

  /** (Re)arms the schedule's timer; disabled schedules are only disarmed. */
  arm(name: string, trigger: ScheduleTrigger, enabled: boolean): Date | undefined {
    this.disarm(name);
    if (!enabled) return undefined;
    const next = Scheduler.next(trigger, new Date());
    if (!next) return undefined;
    // setTimeout caps near 24.8 days: longer waits re-arm on the way.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(
      () => {
        if (Date.now() + 5 >= next.getTime()) this.fireNow(name, next);
        this.arm(name, trigger, true);
      },
      Math.max(0, wait),
    );
    timer.unref();
    this.timers.set(name.toLowerCase(), timer);
    return next;
  }

  fireNow(name: string, at = new Date()): string | undefined {
    try {
      return this.deps.fire(name, at);
    } catch (err) {
      this.deps.onError(name, err);
      return undefined;
    }
  }

  disarm(name: string): void {
    clearTimeout(this.timers.get(name.toLowerCase()));
    this.timers.delete(name.toLowerCase());
  }

  stopAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/**
 * Background work of this instance (alert windows and repeats, penalty expiry,
 * notification outbox). Every job claims its rows in the database, so any number of
 * instances can run them at once without doing the same work twice.
 */
import type { Logger } from './logger';

export interface Workers {
  stop(): Promise<void>;
}

export interface PeriodicJob {
  name: string;
  /** One pass; returns when its claimed work is done. */
  run(): Promise<void>;
  /**
   * Optional gate the scheduler asks before each pass (e.g. a fleet-wide pace, see
   * platform/db/job-runs.ts); false skips this tick. run() itself always runs a pass.
   */
  due?(): Promise<boolean>;
  /** Optional set-up when workers start (e.g. listening for wake-up events). */
  start?(): Promise<void>;
  /** Optional tear-down when workers stop; after it no new pass may begin. */
  stop?(): Promise<void>;
}

/** Runs each job every intervalMs (never two passes of one job at once); 0 runs nothing. */
export function startWorkers(jobs: readonly PeriodicJob[], intervalMs: number, logger: Logger): Workers {
  if (intervalMs === 0 || jobs.length === 0) return { stop: async () => undefined };
  let stopped = false;
  const running = new Set<Promise<void>>();
  const started = jobs.map((job) =>
    (job.start?.() ?? Promise.resolve()).catch((err) => logger.error('background job failed to start', { job: job.name, err })),
  );
  const timers = jobs.map((job) => {
    let busy = false;
    return setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      const p = (job.due ? job.due() : Promise.resolve(true))
        .then((due) => (due ? job.run() : undefined))
        .catch((err) => logger.error('background job failed', { job: job.name, err }))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    }, intervalMs);
  });
  return {
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.allSettled(started);
      await Promise.allSettled([...running]);
      await Promise.allSettled(jobs.map((job) => job.stop?.()));
    },
  };
}

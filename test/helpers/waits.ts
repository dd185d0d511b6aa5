/**
 * Waiting on events instead of sleeping: a timeout around a promise, and a condition
 * re-checked whenever the thing it reads changes (a message arrives, a socket closes).
 */

/** Rejects with `what` after timeoutMs unless `promise` settled first (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Conditions over some state, re-checked by whoever changes that state calling changed(). */
export class Changes {
  private readonly waiters = new Set<() => void>();

  changed(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once check() holds (checked now and on every change); fails after timeoutMs. */
  until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/**
 * The one fixed wait: a quiet period before asserting that something did NOT happen (no
 * further message, no second delivery). Absence announces nothing, so there is no event
 * to wait on; everything that does happen is awaited through its event.
 */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

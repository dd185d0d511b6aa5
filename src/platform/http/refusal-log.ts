/**
 * Refusals of abusive traffic are warnings an operator wants to see, but an attack makes
 * thousands a second. Each kind logs its first refusal, then at most one line per
 * interval carrying how many were refused in between, so the log shows an attack
 * without being flooded (or slowed) by it.
 */
import type { LogFields, Logger } from '../logger';

export class RefusalLog {
  private readonly kinds = new Map<string, { lastLoggedAt: number; unlogged: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  refused(kind: string, fields: LogFields): void {
    const now = Date.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.lastLoggedAt < this.intervalMs) {
      seen.unlogged++;
      return;
    }
    this.logger.warn(kind, { ...fields, ...(seen?.unlogged ? { refusedSinceLastLine: seen.unlogged } : {}) });
    this.kinds.set(kind, { lastLoggedAt: now, unlogged: 0 });
  }
}

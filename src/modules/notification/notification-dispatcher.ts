/**
 * The outbox worker of this instance: a periodic job that also wakes up on
 * NOTIFICATIONS_PENDING (published after every commit that enqueued something), claims
 * due rows, renders the drafts among them, delivers them outside any transaction and
 * records each outcome as soon as it is known (so a crash re-delivers at most the
 * messages in flight, never one recorded SENT).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database } from '../../platform/db/database';
import type { Logger } from '../../platform/logger';
import type { Config } from '../../platform/config';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { PeriodicJob } from '../../platform/jobs';
import { claimDue, recordFailure, recordSent, storeRendered, type NotificationRow, type RenderOutcome } from './notification-outbox';
import type { NotificationDelivery } from './notification-delivery';
import { PermanentDeliveryError } from '../../platform/http/outbound-http';
import { renderLimits, TemplateRenderError, type RenderLimits } from './notification-renderer';
import { renderForChannel } from './template-selection';
import { NOTIFICATIONS_PENDING } from './notification.topics';

/** Rows claimed (and delivered concurrently) per round. */
const BATCH = 50;

export class NotificationDispatcher implements PeriodicJob {
  readonly name = 'notification-outbox';
  private pass?: Promise<void>;
  private again = false;
  private stopped = false;
  private unlisten?: () => void;
  private readonly limits: RenderLimits;

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly delivery: NotificationDelivery,
    private readonly logger: Logger,
  ) {
    this.limits = renderLimits(config);
  }

  /** A claimed row stays leased this long: past every timeout of one attempt. */
  get leaseMs(): number {
    return this.config.deliveryTimeoutMs * 3 + 1_000;
  }

  async start(): Promise<void> {
    this.unlisten = await this.events.listen(NOTIFICATIONS_PENDING, () => void this.kick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    await this.pass;
    this.delivery.close();
  }

  run(): Promise<void> {
    return this.kick();
  }

  /** Starts a pass, or asks the running one to look again when it ends. */
  private kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = this.drain()
      .catch((err) => this.logger.error('notification outbox pass failed', { err }))
      .finally(() => {
        this.pass = undefined;
      });
    return this.pass;
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.again = false;
      if (this.stopped) return;
      const rows = await claimDue(this.db, BATCH, this.leaseMs);
      if (rows.length > 0) await Promise.all((await this.render(rows)).map((row) => this.deliverOne(row)));
      if (rows.length < BATCH && !this.again) return;
    }
  }

  /**
   * Renders the claimed drafts and stores the results in one statement; returns the rows
   * to deliver. Rendering is synchronous and bounded per message (RenderLimits): one
   * message at a time with a turn of the event loop in between, so a batch of slow
   * templates never holds the loop for longer than one message's limit.
   */
  private async render(rows: NotificationRow[]): Promise<NotificationRow[]> {
    const outcomes: RenderOutcome[] = [];
    const rendered = new Map<string, NotificationRow>();
    for (const row of rows) {
      if (!row.draft) continue;
      await nextTurn();
      try {
        const content = renderForChannel(row.draft, row.channel, this.limits);
        outcomes.push({ id: row.id, attempts: row.attempts, ...content });
        rendered.set(row.id, { ...row, ...content, draft: null });
      } catch (err) {
        // Rendering is pure: whatever it throws concerns this row's template or data only.
        const error = err instanceof TemplateRenderError ? err.message : `template failed to render: ${err instanceof Error ? err.message : String(err)}`;
        outcomes.push({ id: row.id, attempts: row.attempts, error });
        this.logger.warn('notification template failed to render', { id: row.id, kind: row.kind, error });
      }
    }
    const stored = await storeRendered(this.db, outcomes);
    return rows.filter((row) => !row.draft || (stored.has(row.id) && rendered.has(row.id))).map((row) => rendered.get(row.id) ?? row);
  }

  private async deliverOne(row: NotificationRow): Promise<void> {
    try {
      await this.delivery.deliver(row);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const outcome = await recordFailure(this.db, row, message, {
        permanent: err instanceof PermanentDeliveryError,
        maxAttempts: this.config.deliveryMaxAttempts,
        backoffMs: this.config.deliveryBackoffMs,
      });
      this.logger.warn('notification delivery failed', { id: row.id, channel: row.channel, attempt: row.attempts, outcome, error: message });
      return;
    }
    if (!(await recordSent(this.db, row))) {
      this.logger.warn('notification delivered after its lease ran out', { id: row.id, attempt: row.attempts });
    }
  }
}

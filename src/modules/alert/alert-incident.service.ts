/**
 * AlertIncidentService: incidents (one per triggered period of a rule for a customer,
 * opened and resolved by AlertEventWriter) and what operators do with them. Every action
 * changes the incident and writes its operator event in one transaction, so the event
 * stream and the incident never disagree. CUSTOMER keys reach none of it (the field
 * access table refuses the fields; the service refuses again, for node(id) and the feeds).
 */
import { badInput, conflict, forbidden, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { Keyset, LOG_COUNT, type PageArgs } from '../../platform/common/keyset';
import type { Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { CustomerStatus } from '../customer/customer.enums';
import { StatusChangeReason, type CustomerStatusChanges } from '../customer/customer-status';
import { CustomerType } from '../customer/customer.type';
import type { AlertEventWriter, OperatorEventDraft } from './alert-event-writer';
import { IncidentStatus } from './alert.enums';
import type { AlertIncidentFilter } from './alert.inputs';
import { EVENT_COLUMNS, INCIDENT_COLUMNS, type AlertEventRow, type IncidentRow } from './alert.rows';
import { AlertEventType, AlertIncidentType, IncidentNoteType } from './alert.types';
import { decodeEventCursor, EVENT_ORDER, KEPT_EVENTS_SQL, refuseExpiredEventCursors, SETTLED_EVENTS_SQL } from './alert-event-order';

/** OPEN first, then ACKNOWLEDGED, then RESOLVED; newest first within each (the board's order). */
const STATUS_RANK = `(CASE i.status WHEN 'OPEN' THEN 2 WHEN 'ACKNOWLEDGED' THEN 1 ELSE 0 END)`;
const BOARD = new Keyset(
  [
    { sql: STATUS_RANK, type: 'bigint' },
    { sql: 'i.id', type: 'bigint' },
  ],
  'DESC',
);

/** At most this far ahead a snooze may hold repeats. */
export const MAX_SNOOZE_MS = 7 * 24 * 3600 * 1000;
const MAX_TEXT = 2000;
const MAX_ASSIGNEE = 200;
/** Notes listed per incident (the newest are kept when there are more). */
export const MAX_NOTES = 200;

type OperatorKind = OperatorEventDraft['kind'];

interface LockedIncident extends IncidentRow {
  title: string;
  customer_name: string;
  customer_class_id: string | null;
}

export class AlertIncidentService {
  constructor(
    private readonly db: Database,
    private readonly writer: AlertEventWriter,
    private readonly statusChanges: CustomerStatusChanges,
  ) {}

  async list(ctx: RequestContext, filter: AlertIncidentFilter | null | undefined, args: PageArgs): Promise<Page<AlertIncidentType>> {
    this.staffOnly(ctx);
    const page = BOARD.request(args);
    const where = new SqlWhere();
    const add = where.add.bind(where);
    if (filter?.status?.length) add((p) => `i.status = ANY(${p}::text[])`, filter.status);
    if (filter?.customerId) add((p) => `i.customer_id = ${p}`, fromGlobalId('Customer', filter.customerId));
    if (filter?.customerClassId) {
      add((p) => `EXISTS (SELECT 1 FROM customers c WHERE c.id = i.customer_id AND c.customer_class_id = ${p})`, fromGlobalId('CustomerClass', filter.customerClassId));
    }
    if (filter?.definitionId) add((p) => `i.definition_id = ${p}`, fromGlobalId('AlertDefinition', filter.definitionId));
    if (filter?.area?.length) add((p) => `EXISTS (SELECT 1 FROM alert_definitions d WHERE d.id = i.definition_id AND d.area = ANY(${p}::text[]))`, filter.area);
    if (filter?.assignee != null) add((p) => `i.assignee = ${p}`, filter.assignee);
    return BOARD.list(this.db, { select: INCIDENT_COLUMNS, from: 'FROM alert_incidents i', where, ...page, map: AlertIncidentType.from });
  }

  /** Incidents by local id, in the order asked (null where unknown, and always for CUSTOMER keys). */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<(AlertIncidentType | null)[]> {
    if (ctx.principal.role !== Role.ADMIN && ctx.principal.role !== Role.NOC) return ids.map(() => null);
    const numeric = ids.filter((id) => /^\d{1,18}$/.test(id));
    const rows = await this.db.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i WHERE i.id = ANY($1::bigint[])`, [numeric]);
    const byId = new Map(rows.map((r) => [String(r.id), AlertIncidentType.from(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async get(ctx: RequestContext, id: string): Promise<AlertIncidentType | null> {
    this.staffOnly(ctx);
    return (await this.byIds(ctx, [fromGlobalId('AlertIncident', id)]))[0];
  }

  /** Notes of many incidents at once (a board asks for a page of them), oldest first. */
  notes(ctx: RequestContext, incidentId: string): Promise<IncidentNoteType[]> {
    return ctx
      .loader<string, IncidentNoteType[]>('incidentNotes', async (ids) => {
        const rows = await this.db.query<{ incident_id: string; author: string; text: string; created_at: Date }>(
          `SELECT incident_id::text, author, text, created_at FROM (
             SELECT n.*, row_number() OVER (PARTITION BY n.incident_id ORDER BY n.id DESC) AS r
               FROM incident_notes n WHERE n.incident_id = ANY($1::bigint[])) x
            WHERE r <= ${MAX_NOTES} ORDER BY id`,
          [ids],
        );
        const by = new Map<string, IncidentNoteType[]>(ids.map((id) => [id, []]));
        for (const r of rows) by.get(r.incident_id)?.push(Object.assign(new IncidentNoteType(), { author: r.author, text: r.text, createdAt: r.created_at }));
        return ids.map((id) => by.get(id) ?? []);
      })
      .load(incidentId);
  }

  /** An incident's events, oldest first (cursor order): those kept (its oldest may have gone with retention; the incident itself stays). */
  async events(ctx: RequestContext, incidentId: string, args: PageArgs): Promise<Page<AlertEventType>> {
    this.staffOnly(ctx);
    const page = { ...EVENT_ORDER.request({ first: args.first, last: args.last }), after: decodeEventCursor(args.after), before: decodeEventCursor(args.before, 'before') };
    const where = new SqlWhere();
    where.add((p) => `e.incident_id = ${p}::bigint`, incidentId);
    await refuseExpiredEventCursors(this.db, page);
    where.raw(SETTLED_EVENTS_SQL);
    where.raw(KEPT_EVENTS_SQL);
    return EVENT_ORDER.list(this.db, { select: EVENT_COLUMNS, from: 'FROM alert_events e', where, ...page, map: (r: AlertEventRow) => AlertEventType.from(r), count: LOG_COUNT });
  }

  acknowledge(ctx: RequestContext, id: string, note: string | null | undefined): Promise<AlertIncidentType> {
    const text = this.optionalText(note, 'note');
    return this.act(ctx, id, async (uow, inc, actor) => {
      if (inc.status !== IncidentStatus.OPEN) throw conflict(`The incident is ${inc.status} already`, { status: inc.status });
      await uow.query(`UPDATE alert_incidents SET status = 'ACKNOWLEDGED', acknowledged_at = now(), acknowledged_by = $2 WHERE id = $1`, [inc.id, actor]);
      return { kind: 'ACKNOWLEDGED', note: text, what: 'acknowledged' };
    });
  }

  assign(ctx: RequestContext, id: string, assignee: string | null | undefined): Promise<AlertIncidentType> {
    const who = assignee == null ? null : assignee.trim();
    if (who !== null && (who.length === 0 || who.length > MAX_ASSIGNEE)) throw badInput(`assignee must be 1 to ${MAX_ASSIGNEE} characters (null unassigns)`, 'assignee');
    return this.act(ctx, id, async (uow, inc) => {
      if (inc.status === IncidentStatus.RESOLVED) throw conflict('The incident is resolved', { status: inc.status });
      await uow.query(`UPDATE alert_incidents SET assignee = $2 WHERE id = $1`, [inc.id, who]);
      return { kind: 'ASSIGNED', note: null, what: who === null ? 'unassigned' : `assigned to ${who}` };
    });
  }

  snooze(ctx: RequestContext, id: string, until: Date, note: string | null | undefined): Promise<AlertIncidentType> {
    const text = this.optionalText(note, 'note');
    const now = Date.now();
    if (!(until instanceof Date) || Number.isNaN(until.getTime()) || until.getTime() <= now) throw badInput('until must be in the future', 'until');
    if (until.getTime() > now + MAX_SNOOZE_MS) throw badInput('until must be at most 7 days ahead', 'until');
    return this.act(ctx, id, async (uow, inc) => {
      if (inc.status === IncidentStatus.RESOLVED) throw conflict('The incident is resolved', { status: inc.status });
      await uow.query(`UPDATE alert_incidents SET snoozed_until = $2 WHERE id = $1`, [inc.id, until]);
      return { kind: 'SNOOZED', note: text, what: `snoozed until ${until.toISOString()}` };
    });
  }

  comment(ctx: RequestContext, id: string, text: string): Promise<AlertIncidentType> {
    const body = this.optionalText(text, 'text');
    if (body === null) throw badInput('text must not be empty', 'text');
    return this.act(ctx, id, async () => ({ kind: 'COMMENTED', note: body, what: 'commented' }));
  }

  /**
   * Ends a penalty now: only a timed suspension (what a penalty sets) is lifted, through
   * CustomerStatusChanges so the status webhook fires (reason PENALTY_LIFTED); the lift is
   * recorded with its actor and note.
   */
  async liftPenalty(ctx: RequestContext, customerId: string, note: string | null | undefined): Promise<CustomerType> {
    this.staffOnly(ctx);
    const text = this.optionalText(note, 'note');
    const local = fromGlobalId('Customer', customerId);
    return this.db.transaction(async (uow) => {
      const [c] = await uow.query<{ status: string; suspended_until: Date | null }>(
        `SELECT status, suspended_until FROM customers WHERE id = $1 FOR NO KEY UPDATE`,
        [local],
      );
      if (!c) throw notFound('Customer', customerId);
      if (c.status !== CustomerStatus.SUSPENDED || c.suspended_until === null) throw conflict('The customer is not under a penalty', { status: c.status });
      const actor = await this.actorName(uow, ctx);
      const [row] = await this.statusChanges.set(uow, [{ customerId: local, status: CustomerStatus.ACTIVE, suspendedUntil: null }], StatusChangeReason.PENALTY_LIFTED);
      await uow.query(`INSERT INTO penalty_lifts (customer_id, actor, note, suspended_until) VALUES ($1, $2, $3, $4)`, [local, actor, text, c.suspended_until]);
      return CustomerType.from(row);
    });
  }

  private async act(
    ctx: RequestContext,
    id: string,
    change: (uow: UnitOfWork, inc: LockedIncident, actor: string) => Promise<{ kind: OperatorKind; note: string | null; what: string }>,
  ): Promise<AlertIncidentType> {
    this.staffOnly(ctx);
    const local = fromGlobalId('AlertIncident', id);
    if (!/^\d{1,18}$/.test(local)) throw notFound('AlertIncident', id);
    return this.db.transaction(async (uow) => {
      const [inc] = await uow.query<LockedIncident>(
        `SELECT ${INCIDENT_COLUMNS}, d.title, c.name AS customer_name, c.customer_class_id
           FROM alert_incidents i JOIN alert_definitions d ON d.id = i.definition_id JOIN customers c ON c.id = i.customer_id
          WHERE i.id = $1 FOR NO KEY UPDATE OF i`,
        [local],
      );
      if (!inc) throw notFound('AlertIncident', id);
      const actor = await this.actorName(uow, ctx);
      const done = await change(uow, inc, actor);
      if (done.kind === 'COMMENTED' || done.note !== null) {
        await uow.query(`INSERT INTO incident_notes (incident_id, author, text) VALUES ($1, $2, $3)`, [inc.id, actor, done.note]);
      }
      const subject = `[Lineguard] Incident '${inc.title}' for ${inc.customer_name} ${done.what} by ${actor}`;
      await this.writer.writeOperator(uow, {
        kind: done.kind,
        incidentId: String(inc.id),
        customerClassId: inc.customer_class_id,
        actor,
        note: done.note,
        subject,
        message: done.note === null ? subject : `${subject}\n\n${done.note}`,
      });
      const [row] = await uow.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i WHERE i.id = $1`, [inc.id]);
      return AlertIncidentType.from(row);
    });
  }

  /** The acting API key's name (what `actor` shows: a NOC gives each operator a key of their own). */
  private async actorName(uow: UnitOfWork, ctx: RequestContext): Promise<string> {
    if (!ctx.principal.apiKeyId) return 'system';
    const [k] = await uow.query<{ name: string }>(`SELECT name FROM api_keys WHERE id = $1`, [ctx.principal.apiKeyId]);
    return k?.name ?? 'unknown';
  }

  private optionalText(v: string | null | undefined, field: string): string | null {
    if (v == null) return null;
    const t = v.trim();
    if (t.length > MAX_TEXT) throw badInput(`${field} takes at most ${MAX_TEXT} characters`, field);
    return t.length ? t : null;
  }

  private staffOnly(ctx: RequestContext): void {
    if (ctx.principal.role !== Role.ADMIN && ctx.principal.role !== Role.NOC) throw forbidden('Only ADMIN and NOC keys reach incidents');
  }
}

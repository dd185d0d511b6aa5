/**
 * CDRs: bulk submission (delegated to CdrSubmission, the hot path) and the scoped,
 * keyset-paginated list. The list pages newest call first: (started_at, id)
 * descending, which the (customer_id, started_at, id), (trunk_id, started_at, id)
 * and (started_at, id) indexes serve.
 */
import { fromGlobalId } from '../../platform/common/global-id';
import { Keyset, LOG_COUNT, type PageArgs } from '../../platform/common/keyset';
import type { Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import type { CdrSubmission } from './cdr-submission';
import type { CdrFilter, CdrInput } from './cdr.inputs';
import { CdrType, type CdrBatchResult, type CdrRow } from './cdr.type';
import { oneEach } from '../../platform/graphql/batch';
import { badInput } from '../../platform/common/errors';
import type { CdrPartitions } from './cdr-partitions';

const COLUMNS = `id, call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge, ingested_at`;

/** Newest call first; the cursor holds the start as ISO-8601 UTC with microseconds. */
const NEWEST_FIRST = new Keyset(
  [
    { sql: 'started_at', type: 'timestamptz', text: `to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` },
    { sql: 'id', type: 'bigint' },
  ],
  'DESC',
);

export class CdrService<Outcome = unknown> {
  constructor(
    private readonly db: Database,
    private readonly submission: CdrSubmission<Outcome>,
    private readonly partitions: CdrPartitions,
  ) {}

  /** Charges a batch; see CdrSubmission. */
  async submit(ctx: RequestContext, cdrs: readonly CdrInput[]): Promise<CdrBatchResult<Outcome>> {
    const result = await this.submission.submit(cdrs);
    ctx.logger.info('cdrs submitted', {
      received: cdrs.length,
      accepted: result.accepted,
      duplicates: result.duplicates,
      rejected: result.rejected.length,
    });
    return result;
  }

  async list(ctx: RequestContext, filter: CdrFilter | null | undefined, args: PageArgs): Promise<Page<CdrType>> {
    const page = NEWEST_FIRST.request(args);
    this.refuseExpired(page.after?.[0]);
    this.refuseExpired(page.before?.[0]);
    const where = new SqlWhere();
    const add = where.add.bind(where);
    if (ctx.customerScope !== undefined) add((p) => `customer_id = ${p}`, ctx.customerScope);
    if (filter?.customerId) add((p) => `customer_id = ${p}::uuid`, fromGlobalId('Customer', filter.customerId));
    if (filter?.trunkId) add((p) => `trunk_id = ${p}::uuid`, fromGlobalId('Trunk', filter.trunkId));
    if (filter?.from) add((p) => `started_at >= ${p}::timestamptz`, filter.from.toISOString());
    if (filter?.to) add((p) => `started_at < ${p}::timestamptz`, filter.to.toISOString());
    if (filter?.disposition) add((p) => `disposition = ANY(${p}::text[])`, filter.disposition);
    if (filter?.minDuration !== null && filter?.minDuration !== undefined) add((p) => `duration >= ${p}`, filter.minDuration);
    if (filter?.callee) add((p) => `starts_with(callee, ${p})`, filter.callee);
    return NEWEST_FIRST.list(this.db, { select: COLUMNS, from: 'FROM cdrs', where, ...page, map: CdrType.from, count: LOG_COUNT });
  }

  /**
   * A cursor at a start older than what is kept: the records after it may be gone with
   * their day, and an empty or short page would read as the end of the list. The client
   * has to start over (resync) from the first page.
   */
  private refuseExpired(cursorStart: string | undefined): void {
    const keptSince = this.partitions.keptSinceMs(Date.now());
    if (cursorStart === undefined || keptSince === undefined || Date.parse(cursorStart) >= keptSince) return;
    throw badInput(
      `The cursor is at ${cursorStart}, before ${new Date(keptSince).toISOString()}: older CDRs are no longer kept (CDR_RETENTION_DAYS). Resync: list again without after.`,
      'after',
      { reason: 'CURSOR_EXPIRED', keptSince: new Date(keptSince).toISOString() },
    );
  }

  /** One CDR by local id, or null when it does not exist or the caller may not see it. */
  async findById(ctx: RequestContext, localId: string): Promise<CdrType | null> {
    const cdr = await ctx
      .loader<string, CdrType | null>('cdr.byId', async (ids) => {
        const rows = await this.db.query<CdrRow>(`SELECT ${COLUMNS} FROM cdrs WHERE id = ANY($1::bigint[])`, [[...ids]]);
        return oneEach(ids, rows, (r) => String(r.id), CdrType.from, null);
      })
      .load(localId);
    return cdr && ctx.canSeeCustomer(cdr.customerLocalId) ? cdr : null;
  }
}

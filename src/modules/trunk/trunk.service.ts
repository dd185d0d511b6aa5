/**
 * Trunks: list (keyset by name), create, update, delete (its hosts go with it). Every
 * change runs the trunk-changed reaction inside the transaction (notifications send
 * TRUNK_UPDATED from it). Moving a trunk to another customer or turning it INGRESS
 * carries its hosts along (their copy of owner and direction cascades), so it is refused
 * when one of its enabled hosts has the address of another customer's (address-owners.ts).
 */
import { badInput, conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { Keyset } from '../../platform/common/keyset';
import { containsPattern } from '../../platform/common/like';
import { pageSize, type Page } from '../../platform/common/pagination';
import { nonNegativeInt, optionalText, requiredName } from '../../platform/common/validation';
import type { Database } from '../../platform/db/database';
import { SqlParams, SqlWhere } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import { trunkOwnerConflict } from './address-owners';
import type { TrunkChange, TrunkChangedReaction } from './trunk-change';
import type { TrunkFilter, TrunkInput } from './trunk.inputs';
import type { TrunkLoader } from './trunk.loader';
import { TRUNK_COLUMNS, TrunkType, type TrunkRow } from './trunk.type';

const UNIQUE = { trunks_name_key: () => conflict('A trunk with this name already exists (trunk names are unique: CDRs name their customer by trunk)') };

/** By name (unique, trunks_name_key), then id. */
const BY_NAME = new Keyset([
  { sql: 't.name', type: 'text' },
  { sql: 't.id', type: 'uuid' },
]);

export class TrunkService {
  constructor(
    private readonly db: Database,
    private readonly trunks: TrunkLoader,
    private readonly reactToChange: TrunkChangedReaction,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<TrunkType> {
    const trunk = await this.trunks.load(ctx, fromGlobalId('Trunk', id));
    if (!trunk) throw notFound('Trunk', id);
    return trunk;
  }

  async list(ctx: RequestContext, filter: TrunkFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<TrunkType>> {
    const limit = pageSize(first);
    const cursor = BY_NAME.decode(after);
    const where = new SqlWhere();
    const add = where.add.bind(where);
    if (ctx.customerScope) add((p) => `t.customer_id = ${p}`, ctx.customerScope);
    if (filter?.customerId) add((p) => `t.customer_id = ${p}`, fromGlobalId('Customer', filter.customerId));
    if (filter?.name) add((p) => `t.name ILIKE ${p}`, containsPattern(filter.name));
    if (filter?.direction) add((p) => `t.direction = ${p}`, filter.direction);
    if (filter?.enabled != null) add((p) => `t.enabled = ${p}`, filter.enabled);
    return BY_NAME.list(this.db, { select: TRUNK_COLUMNS, from: 'FROM trunks t', where, limit, after: cursor, map: TrunkType.from });
  }

  async create(_ctx: RequestContext, input: TrunkInput): Promise<TrunkType> {
    const values = this.values(input);
    return this.db.transaction(async (uow) => {
      await this.lockCustomer(uow, values.customer_id, input.customerId);
      const q = new SqlParams();
      const [row] = await withConstraintErrors(() => uow.query<TrunkRow>(`INSERT INTO trunks AS t ${q.insertValues(values)} RETURNING ${TRUNK_COLUMNS}`, q.params), UNIQUE);
      await this.reactToChange(uow, [{ customerId: values.customer_id, trunkId: row.id, change: 'CREATED' }]);
      return TrunkType.from(row);
    });
  }

  async update(_ctx: RequestContext, id: string, input: TrunkInput): Promise<TrunkType> {
    const local = fromGlobalId('Trunk', id);
    const values = this.values(input);
    return this.updateTransaction(local, values.customer_id, async (uow) => {
      await this.lockCustomer(uow, values.customer_id, input.customerId);
      const q = new SqlParams();
      const trunkId = q.param(local);
      const rows = await withConstraintErrors(
        () =>
          uow.query<TrunkRow & { previous_customer_id: string }>(
            `WITH previous AS (SELECT customer_id FROM trunks WHERE id = ${trunkId} FOR UPDATE)
             UPDATE trunks t SET ${q.assignments(values, ['updated_at = now()'])} FROM previous WHERE t.id = ${trunkId}
             RETURNING ${TRUNK_COLUMNS}, previous.customer_id AS previous_customer_id`,
            q.params,
          ),
        UNIQUE,
      );
      if (!rows.length) throw notFound('Trunk', id);
      const changes: TrunkChange[] = [];
      // A trunk moved to another customer is a change for the customer who lost it too
      // (listed first: the new owner's UPDATED is the trunk's latest state).
      if (rows[0].previous_customer_id !== values.customer_id) changes.push({ customerId: rows[0].previous_customer_id, trunkId: local, change: 'DELETED' });
      changes.push({ customerId: values.customer_id, trunkId: local, change: 'UPDATED' });
      await this.reactToChange(uow, changes);
      return TrunkType.from(rows[0]);
    });
  }

  /**
   * Deletes the trunk and (ON DELETE CASCADE) its hosts; its CDRs keep their customer and
   * lose the trunk link. cdrs has no foreign key (dropping a day would lock trunks), so the
   * link is cleared here; a record of a batch in flight may keep the id, which then
   * resolves to no trunk, as a cleared one does.
   */
  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('Trunk', id);
    return this.db.transaction(async (uow) => {
      const rows = await uow.query<{ customer_id: string }>(`DELETE FROM trunks WHERE id = $1 RETURNING customer_id`, [local]);
      if (!rows.length) throw notFound('Trunk', id);
      await uow.query(`UPDATE cdrs SET trunk_id = NULL WHERE trunk_id = $1`, [local]);
      await this.reactToChange(uow, [{ customerId: rows[0].customer_id, trunkId: local, change: 'DELETED' }]);
      return true;
    });
  }

  /** Column values of the fields given (name and customer always; see ColumnValues). */
  private values(input: TrunkInput) {
    nonNegativeInt(input.callLimit, 'callLimit');
    nonNegativeInt(input.cpsLimit, 'cpsLimit');
    const name = requiredName(input.name);
    const customerId = fromGlobalId('Customer', input.customerId);
    if (input.direction === null || input.enabled === null) throw badInput('direction and enabled cannot be null', input.direction === null ? 'direction' : 'enabled');
    return {
      name,
      customer_id: customerId,
      direction: input.direction,
      enabled: input.enabled,
      call_limit: input.callLimit,
      cps_limit: input.cpsLimit,
      tech_prefix: optionalText(input.techPrefix, 'techPrefix', 100),
    };
  }

  /**
   * Runs a trunk update in a transaction; moving it, or turning it INGRESS, so that one of
   * its hosts gives an address a second owner -> CONFLICT naming the owner.
   */
  private async updateTransaction<T>(trunkId: string, customerId: string, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (err) {
      throw (await trunkOwnerConflict(this.db, err, { trunkId, customerId })) ?? err;
    }
  }

  /** The owning customer must exist; KEY SHARE keeps it from being deleted until we commit. */
  private async lockCustomer(uow: UnitOfWork, localId: string, globalId: string): Promise<void> {
    const found = await uow.query(`SELECT 1 FROM customers WHERE id = $1 FOR KEY SHARE`, [localId]);
    if (!found.length) throw notFound('Customer', globalId);
  }
}

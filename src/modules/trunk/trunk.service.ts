/**
 * Trunks: list (keyset by name), create, update, delete (its hosts go with it). Every
 * change runs the trunk-changed reaction inside the transaction (notifications send
 * TRUNK_UPDATED from it).
 */
import { badInput, conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { containsPattern } from '../../platform/common/like';
import { decodeCursor, pageSize, toPage, type Page } from '../../platform/common/pagination';
import { nonNegativeInt, optionalText, requiredName } from '../../platform/common/validation';
import type { Database } from '../../platform/db/database';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import type { TrunkChange, TrunkChangedReaction } from './trunk-change';
import { TrunkEntity } from './trunk.entity';
import type { TrunkFilter, TrunkInput } from './trunk.inputs';
import type { TrunkLoader } from './trunk.loader';
import { TrunkType } from './trunk.type';

const UNIQUE = { trunks_name_key: () => conflict('A trunk with this name already exists (trunk names are unique: CDRs name their customer by trunk)') };

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
    const cursor = decodeCursor(after, ['text', 'uuid']);
    const qb = this.db.dataSource.getRepository(TrunkEntity).createQueryBuilder('t').where('true');
    if (ctx.customerScope) qb.andWhere('t.customer_id = :scope', { scope: ctx.customerScope });
    if (filter?.customerId) qb.andWhere('t.customer_id = :customerId', { customerId: fromGlobalId('Customer', filter.customerId) });
    if (filter?.name) qb.andWhere('t.name ILIKE :name', { name: containsPattern(filter.name) });
    if (filter?.direction) qb.andWhere('t.direction = :direction', { direction: filter.direction });
    if (filter?.enabled != null) qb.andWhere('t.enabled = :enabled', { enabled: filter.enabled });
    const total = await qb.clone().getCount();
    if (cursor) qb.andWhere('(t.name, t.id) > (:afterName, CAST(:afterId AS uuid))', { afterName: cursor[0], afterId: cursor[1] });
    const rows = limit === 0 ? [] : await qb.orderBy('t.name', 'ASC').addOrderBy('t.id', 'ASC').limit(limit + 1).getMany();
    return toPage(rows.map(TrunkType.from), limit, total, (t) => [t.name, t.localId]);
  }

  async create(_ctx: RequestContext, input: TrunkInput): Promise<TrunkType> {
    const values = this.values(input);
    return this.db.transaction(async (uow) => {
      await this.lockCustomer(uow, values.customer_id as string, input.customerId);
      const cols = Object.keys(values);
      const [row] = await withConstraintErrors(
        () => uow.query<{ id: string }>(`INSERT INTO trunks (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`, Object.values(values)),
        UNIQUE,
      );
      await this.reactToChange(uow, [{ customerId: values.customer_id as string, trunkId: row.id, change: 'CREATED' }]);
      return this.read(uow, row.id);
    });
  }

  async update(_ctx: RequestContext, id: string, input: TrunkInput): Promise<TrunkType> {
    const local = fromGlobalId('Trunk', id);
    const values = this.values(input);
    return this.db.transaction(async (uow) => {
      await this.lockCustomer(uow, values.customer_id as string, input.customerId);
      const sets = Object.keys(values).map((c, i) => `${c} = $${i + 2}`);
      const rows = await withConstraintErrors(
        () =>
          uow.query<{ previous_customer_id: string }>(
            `WITH previous AS (SELECT customer_id FROM trunks WHERE id = $1 FOR UPDATE)
             UPDATE trunks SET ${sets.join(', ')}, updated_at = now() FROM previous WHERE trunks.id = $1
             RETURNING previous.customer_id AS previous_customer_id`,
            [local, ...Object.values(values)],
          ),
        UNIQUE,
      );
      if (!rows.length) throw notFound('Trunk', id);
      const changes: TrunkChange[] = [];
      // A trunk moved to another customer is a change for the customer who lost it too
      // (listed first: the new owner's UPDATED is the trunk's latest state).
      if (rows[0].previous_customer_id !== values.customer_id) changes.push({ customerId: rows[0].previous_customer_id, trunkId: local, change: 'DELETED' });
      changes.push({ customerId: values.customer_id as string, trunkId: local, change: 'UPDATED' });
      await this.reactToChange(uow, changes);
      return this.read(uow, local);
    });
  }

  /** Deletes the trunk and (ON DELETE CASCADE) its hosts; its CDRs keep their customer and lose the trunk link. */
  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('Trunk', id);
    return this.db.transaction(async (uow) => {
      const rows = await uow.query<{ customer_id: string }>(`DELETE FROM trunks WHERE id = $1 RETURNING customer_id`, [local]);
      if (!rows.length) throw notFound('Trunk', id);
      await this.reactToChange(uow, [{ customerId: rows[0].customer_id, trunkId: local, change: 'DELETED' }]);
      return true;
    });
  }

  private values(input: TrunkInput): Record<string, unknown> {
    nonNegativeInt(input.callLimit, 'callLimit');
    nonNegativeInt(input.cpsLimit, 'cpsLimit');
    const values: Record<string, unknown> = { name: requiredName(input.name), customer_id: fromGlobalId('Customer', input.customerId) };
    if (input.direction === null || input.enabled === null) throw badInput('direction and enabled cannot be null', input.direction === null ? 'direction' : 'enabled');
    if (input.direction !== undefined) values.direction = input.direction;
    if (input.enabled !== undefined) values.enabled = input.enabled;
    if (input.callLimit !== undefined) values.call_limit = input.callLimit;
    if (input.cpsLimit !== undefined) values.cps_limit = input.cpsLimit;
    if (input.techPrefix !== undefined) values.tech_prefix = optionalText(input.techPrefix, 'techPrefix', 100);
    return values;
  }

  /** The owning customer must exist; KEY SHARE keeps it from being deleted until we commit. */
  private async lockCustomer(uow: UnitOfWork, localId: string, globalId: string): Promise<void> {
    const found = await uow.query(`SELECT 1 FROM customers WHERE id = $1 FOR KEY SHARE`, [localId]);
    if (!found.length) throw notFound('Customer', globalId);
  }

  private async read(uow: UnitOfWork, localId: string): Promise<TrunkType> {
    return TrunkType.from(await uow.manager.getRepository(TrunkEntity).findOneByOrFail({ id: localId }));
  }
}

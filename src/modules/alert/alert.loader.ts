/** Batched lookups of alert rows for one request (no N+1 across a page of events or customers). */
import type DataLoader from 'dataloader';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { ListBounds } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { DEFINITION_COLUMNS, STATE_COLUMNS, type AlertDefinitionRow, type AlertStateRow } from './alert.rows';
import { AlertDefinitionType, AlertStateType } from './alert.types';
import { allEach, oneEach } from '../../platform/graphql/batch';
import { preparedSql } from '../../platform/db/prepared-sql';

/** Named (prepared-sql.ts): every page of events reads its rules by it; a primary-key probe per id. */
const DEFINITIONS_BY_ID_SQL = preparedSql('alert-definitions.by-id', `SELECT ${DEFINITION_COLUMNS} FROM alert_definitions d WHERE d.id = ANY($1::uuid[])`);

/** Customer.alertStates and AlertDefinition.states: the first `first`; the query cost counts them at `default` or `max`. */
export const STATES_OF_CUSTOMER: ListBounds = { default: 50, max: 500 };
export const STATES_OF_DEFINITION: ListBounds = { default: 50, max: 500 };

/** Batched lookups of alert rows for one request. */
export class AlertLoader {
  constructor(private readonly db: Database) {}

  /** By local id. */
  async definition(ctx: RequestContext, localId: string): Promise<AlertDefinitionType | null> {
    return this.definitions(ctx).load(localId);
  }

  /** This request's rule-by-id loader; a statement that already read rules primes it (prime keeps what is cached). */
  definitions(ctx: RequestContext): DataLoader<string, AlertDefinitionType | null> {
    return ctx.loader<string, AlertDefinitionType | null>('alertDefinition.byId', async (ids) => {
      const rows = await this.db.query<AlertDefinitionRow>(DEFINITIONS_BY_ID_SQL, [ids]);
      return oneEach(ids, rows, (r) => r.id, AlertDefinitionType.from, null);
    });
  }

  /** By local id, NOT_FOUND when unknown (for non-null fields). */
  async getDefinition(ctx: RequestContext, localId: string): Promise<AlertDefinitionType> {
    const d = await this.definition(ctx, localId);
    if (!d) throw notFound('AlertDefinition', toGlobalId('AlertDefinition', localId));
    return d;
  }

  /** The first `limit` states of a customer (those the caller may see). */
  async statesOfCustomer(ctx: RequestContext, customerId: string, limit: number): Promise<AlertStateType[]> {
    if (!ctx.canSeeCustomer(customerId)) return [];
    return ctx
      .loader<string, AlertStateType[]>(`alertStates.byCustomer.${limit}`, (ids) => this.statesBy(ctx, 'customer_id', ids, limit))
      .load(customerId);
  }

  /** The first `limit` states of a definition, only the caller's customer's for CUSTOMER keys. */
  async statesOfDefinition(ctx: RequestContext, definitionId: string, limit: number): Promise<AlertStateType[]> {
    return ctx
      .loader<string, AlertStateType[]>(`alertStates.byDefinition.${limit}`, (ids) => this.statesBy(ctx, 'definition_id', ids, limit))
      .load(definitionId);
  }

  private async statesBy(ctx: RequestContext, column: 'customer_id' | 'definition_id', ids: readonly string[], limit: number): Promise<AlertStateType[][]> {
    // The caller's scope is applied before the limit, so a CUSTOMER key's own state is never cut off by others'.
    const scope = ctx.customerScope;
    const rows = await this.db.query<AlertStateRow>(
      `SELECT ${STATE_COLUMNS} FROM (
         SELECT s.*, row_number() OVER (PARTITION BY s.${column} ORDER BY s.definition_id, s.customer_id) AS n
           FROM alert_states s WHERE s.${column} = ANY($1::uuid[]) AND ($3::uuid IS NULL OR s.customer_id = $3::uuid)
       ) s WHERE s.n <= $2 ORDER BY s.definition_id, s.customer_id`,
      [ids, limit, scope ?? null],
    );
    return allEach(ids, rows, (r) => r[column], AlertStateType.from);
  }
}

/** Batched lookups of alert rows for one request (no N+1 across a page of events or customers). */
import type { ListBounds } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import { DEFINITION_COLUMNS, STATE_COLUMNS, type AlertDefinitionRow, type AlertStateRow } from './alert.rows';
import { AlertDefinitionType, AlertStateType } from './alert.types';

export async function loadDefinition(ctx: RequestContext, localId: string): Promise<AlertDefinitionType | null> {
  return ctx
    .loader<string, AlertDefinitionType | null>('alertDefinition.byId', async (ids) => {
      const rows = await ctx.services.db.query<AlertDefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM alert_definitions d WHERE d.id = ANY($1::uuid[])`, [ids]);
      const byId = new Map(rows.map((r) => [r.id, AlertDefinitionType.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    })
    .load(localId);
}

/** Customer.alertStates and AlertDefinition.states: the first `first`; the query cost counts them at `default` or `max`. */
export const STATES_OF_CUSTOMER: ListBounds = { default: 50, max: 500 };
export const STATES_OF_DEFINITION: ListBounds = { default: 50, max: 500 };

/** The first `limit` states of a customer (those the caller may see). */
export async function loadStatesOfCustomer(ctx: RequestContext, customerId: string, limit: number): Promise<AlertStateType[]> {
  if (!ctx.canSeeCustomer(customerId)) return [];
  return ctx
    .loader<string, AlertStateType[]>(`alertStates.byCustomer.${limit}`, (ids) => statesBy(ctx, 'customer_id', ids, limit))
    .load(customerId);
}

/** The first `limit` states of a definition, only the caller's customer's for CUSTOMER keys. */
export async function loadStatesOfDefinition(ctx: RequestContext, definitionId: string, limit: number): Promise<AlertStateType[]> {
  return ctx
    .loader<string, AlertStateType[]>(`alertStates.byDefinition.${limit}`, (ids) => statesBy(ctx, 'definition_id', ids, limit))
    .load(definitionId);
}

async function statesBy(ctx: RequestContext, column: 'customer_id' | 'definition_id', ids: readonly string[], limit: number): Promise<AlertStateType[][]> {
  // The caller's scope is applied before the limit, so a CUSTOMER key's own state is never cut off by others'.
  const scope = ctx.customerScope;
  const rows = await ctx.services.db.query<AlertStateRow>(
    `SELECT ${STATE_COLUMNS} FROM (
       SELECT s.*, row_number() OVER (PARTITION BY s.${column} ORDER BY s.definition_id, s.customer_id) AS n
         FROM alert_states s WHERE s.${column} = ANY($1::uuid[]) AND ($3::uuid IS NULL OR s.customer_id = $3::uuid)
     ) s WHERE s.n <= $2 ORDER BY s.definition_id, s.customer_id`,
    [ids, limit, scope ?? null],
  );
  const by = new Map<string, AlertStateType[]>();
  for (const r of rows) {
    const key = r[column];
    if (!by.has(key)) by.set(key, []);
    by.get(key)!.push(AlertStateType.from(r));
  }
  return ids.map((id) => by.get(id) ?? []);
}

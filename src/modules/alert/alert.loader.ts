/** Batched lookups of alert rows for one request (no N+1 across a page of events or customers). */
import type { RequestContext } from '../../server/context';
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

/** States of a customer (those the caller may see). */
export async function loadStatesOfCustomer(ctx: RequestContext, customerId: string): Promise<AlertStateType[]> {
  if (!ctx.canSeeCustomer(customerId)) return [];
  return ctx
    .loader<string, AlertStateType[]>('alertStates.byCustomer', (ids) => statesBy(ctx, 'customer_id', ids))
    .load(customerId);
}

/** States of a definition, limited to the caller's customer for CUSTOMER keys. */
export async function loadStatesOfDefinition(ctx: RequestContext, definitionId: string): Promise<AlertStateType[]> {
  const states = await ctx
    .loader<string, AlertStateType[]>('alertStates.byDefinition', (ids) => statesBy(ctx, 'definition_id', ids))
    .load(definitionId);
  return states.filter((s) => ctx.canSeeCustomer(s.customerLocalId));
}

async function statesBy(ctx: RequestContext, column: 'customer_id' | 'definition_id', ids: readonly string[]): Promise<AlertStateType[][]> {
  const rows = await ctx.services.db.query<AlertStateRow>(
    `SELECT ${STATE_COLUMNS} FROM alert_states s WHERE s.${column} = ANY($1::uuid[]) ORDER BY s.definition_id, s.customer_id`,
    [ids],
  );
  const by = new Map<string, AlertStateType[]>();
  for (const r of rows) {
    const key = r[column];
    if (!by.has(key)) by.set(key, []);
    by.get(key)!.push(AlertStateType.from(r));
  }
  return ids.map((id) => by.get(id) ?? []);
}

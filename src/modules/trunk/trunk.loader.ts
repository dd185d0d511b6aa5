import { In } from 'typeorm';
import type { RequestContext } from '../../server/context';
import { TrunkEntity } from './trunk.entity';
import { TrunkType } from './trunk.type';

/** Batched trunk lookup by local id for this request; trunks of customers the caller may not see load as null. */
export async function loadTrunk(ctx: RequestContext, localId: string): Promise<TrunkType | null> {
  const trunk = await ctx
    .loader<string, TrunkType | null>('trunk.byId', async (ids) => {
      const rows = await ctx.services.db.dataSource.getRepository(TrunkEntity).findBy({ id: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.id, TrunkType.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    })
    .load(localId);
  return trunk && ctx.canSeeCustomer(trunk.customerLocalId) ? trunk : null;
}

/**
 * Payments, adjustments and resets: each one transaction through the BalanceLedger
 * (which locks the row, writes the ledger and publishes BalanceChange after commit).
 */
import { dec } from '../../platform/common/decimal';
import { violatedConstraint } from '../../platform/common/constraint-errors';
import { badInput, notFound, NUMERIC_OUT_OF_RANGE, sqlState } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { optionalText } from '../../platform/common/validation';
import type { Database } from '../../platform/db/database';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import type { BalanceLedger } from '../balance/balance-ledger';
import { BalanceChangeType } from '../balance/balance-change.type';
import type { AppliedBalanceChange } from '../balance/balance-change';
import { IDEMPOTENCY_KEY_CONSTRAINT, idempotencyClaim, rememberKey, replayOf, type IdempotencyClaim } from '../balance/idempotency-keys';
import type { BalanceChangedPayload } from '../balance/balance.topics';

export class CustomerBalanceService {
  constructor(
    private readonly db: Database,
    private readonly ledger: BalanceLedger,
  ) {}

  async recordPayment(
    ctx: RequestContext,
    customerId: string,
    amount: string,
    reference?: string | null,
    idempotencyKey?: string | null,
  ): Promise<BalanceChangeType> {
    if (!dec(amount).isPositive() || dec(amount).isZero()) throw badInput('amount must be greater than 0', 'amount');
    const ref = optionalText(reference, 'reference', 500);
    const claim = idempotencyClaim(idempotencyKey, 'recordPayment', amount, ref);
    return this.change(customerId, (uow, local) => this.ledger.apply(uow, 'PAYMENT', [{ customerId: local, delta: amount, reference: ref }], ctx.principal.apiKeyId).then((c) => c[0]), claim);
  }

  async adjustBalance(ctx: RequestContext, customerId: string, amount: string, note?: string | null, idempotencyKey?: string | null): Promise<BalanceChangeType> {
    if (dec(amount).isZero()) throw badInput('amount must not be 0', 'amount');
    const text = optionalText(note, 'note', 1000);
    const claim = idempotencyClaim(idempotencyKey, 'adjustBalance', amount, text);
    return this.change(customerId, (uow, local) => this.ledger.apply(uow, 'ADJUSTMENT', [{ customerId: local, delta: amount, note: text }], ctx.principal.apiKeyId).then((c) => c[0]), claim);
  }

  async resetBalance(ctx: RequestContext, customerId: string): Promise<BalanceChangeType> {
    return this.change(customerId, (uow, local) => this.ledger.reset(uow, local, ctx.principal.apiKeyId));
  }

  private async change(
    customerId: string,
    apply: (uow: UnitOfWork, localId: string) => Promise<AppliedBalanceChange | undefined>,
    claim?: IdempotencyClaim,
  ): Promise<BalanceChangeType> {
    const local = fromGlobalId('Customer', customerId);
    const attempt = () =>
      this.db.transaction<AppliedBalanceChange | BalanceChangedPayload>(async (uow) => {
        const first = claim && (await replayOf(uow, local, claim));
        if (first) return first;
        const applied = await apply(uow, local);
        // The ledger skips customers that do not exist; throwing rolls back (nothing was written).
        if (!applied) throw notFound('Customer', customerId);
        if (claim) await rememberKey(uow, local, claim, applied.ledgerId);
        return applied;
      });
    const run = async () => {
      try {
        return await attempt();
      } catch (err) {
        // A duplicate that got past the customer lock rolled back whole; run again to answer with the first.
        if (claim && violatedConstraint(err) === IDEMPOTENCY_KEY_CONSTRAINT) return attempt();
        throw err;
      }
    };
    try {
      return BalanceChangeType.from(await run());
    } catch (err) {
      // Each amount fits the column; the balance it leads to may not (rolled back: nothing changed).
      if (sqlState(err) === NUMERIC_OUT_OF_RANGE) throw badInput('amount would take the balance beyond ±10^18, the largest amount the ledger holds', 'amount');
      throw err;
    }
  }
}

/**
 * Customer writes: create (with class defaults), update (partial), delete (guarded),
 * and the bulk status switch. Balances are never written here: an opening balance
 * goes through the BalanceLedger like every other change. Names are unique whatever
 * their case (customers_name_key on lower(name)): operators find a customer by name.
 */
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { badInput, conflict, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlParams } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import type { BalanceLedger } from '../balance/balance-ledger';
import { markCustomersLocked } from '../balance/customer-locks';
import { customerColumns } from './customer-fields';
import { CustomerStatus } from './customer.enums';
import type { CreateCustomerInput, UpdateCustomerInput } from './customer.inputs';
import { selectCustomers } from './customer.loader';
import { CUSTOMER_COLUMNS, CustomerType, type CustomerRow } from './customer.type';
import { RULE_INPUT_COLUMNS, type CustomerRulesChangedReaction } from './customer-rules-change';
import { StatusChangeReason, type CustomerStatusChanges } from './customer-status';

const UNIQUE = { customers_name_key: () => conflict('A customer with this name already exists (names are unique, whatever their case)', { field: 'name' }) };

interface ClassDefaults {
  default_terms: string | null;
  default_credit_limit: string | null;
  default_call_limit: number | null;
  default_cps_limit: number | null;
}

export class CustomerService {
  constructor(
    private readonly db: Database,
    private readonly ledger: BalanceLedger,
    private readonly statusChanges: CustomerStatusChanges,
    private readonly rulesChanged: CustomerRulesChangedReaction,
  ) {}

  /** "Create by template": the class's defaults fill terms, credit, call and CPS limits the input leaves out. */
  async create(ctx: RequestContext, input: CreateCustomerInput): Promise<CustomerType> {
    const values = customerColumns(input);
    return this.db.transaction(async (uow) => {
      if (input.customerClassId) {
        const classId = fromGlobalId('CustomerClass', input.customerClassId);
        const defaults = await this.classDefaults(uow, classId, input.customerClassId);
        values.customer_class_id = classId;
        const fill: [keyof CreateCustomerInput, string, unknown][] = [
          ['terms', 'terms', defaults.default_terms],
          ['creditLimit', 'credit_limit', defaults.default_credit_limit],
          ['callLimit', 'call_limit', defaults.default_call_limit],
          ['cpsLimit', 'cps_limit', defaults.default_cps_limit],
        ];
        for (const [field, column, value] of fill) if (input[field] === undefined && value !== null) values[column] = value;
      }
      const q = new SqlParams();
      const [row] = await withConstraintErrors(() => uow.query<{ id: string }>(`INSERT INTO customers ${q.insertValues(values)} RETURNING id`, q.params), UNIQUE);
      // No other transaction sees the new row: it is as good as locked.
      markCustomersLocked(uow, [row.id]);
      // The rules look at the new customer now (its triggers, class and type included):
      // through the opening balance's own reaction, or here when there is none.
      if (input.balance && input.balance !== '0') {
        await this.ledger.apply(uow, 'ADJUSTMENT', [{ customerId: row.id, delta: input.balance, note: 'opening balance' }], ctx.principal.apiKeyId);
      } else {
        await this.rulesChanged(uow, [row.id]);
      }
      const [created] = await selectCustomers(uow, [row.id]);
      return created;
    });
  }

  async update(_ctx: RequestContext, id: string, input: UpdateCustomerInput): Promise<CustomerType> {
    const local = fromGlobalId('Customer', id);
    const values = customerColumns(input);
    return this.db.transaction(async (uow) => {
      if (input.customerClassId === null) values.customer_class_id = null;
      if (input.customerClassId) {
        values.customer_class_id = fromGlobalId('CustomerClass', input.customerClassId);
        await this.classDefaults(uow, values.customer_class_id as string, input.customerClassId);
      }
      const q = new SqlParams();
      const rows = await withConstraintErrors(
        () => uow.query<CustomerRow>(`UPDATE customers c SET ${q.assignments(values, ['updated_at = now()'])} WHERE c.id = ${q.param(local)} RETURNING ${CUSTOMER_COLUMNS}`, q.params),
        UNIQUE,
      );
      if (!rows.length) throw notFound('Customer', id);
      if (RULE_INPUT_COLUMNS.some((column) => column in values)) {
        // The UPDATE holds the row: the rules look at the customer's new values now.
        markCustomersLocked(uow, [local]);
        const { penalised } = await this.rulesChanged(uow, [local]);
        // A penalty suspended the customer after the UPDATE returned it.
        if (penalised) return (await selectCustomers(uow, [local]))[0];
      }
      return CustomerType.from(rows[0]);
    });
  }

  /**
   * Refuses (CONFLICT) to delete a customer with trunks, CDRs or ledger rows rather than
   * archiving it: those rows are billing history that must keep its customer, and the
   * dashboard already has a reversible way to retire an account (setCustomerStatus
   * INACTIVE). Only a customer created by mistake, with no history, is deleted.
   */
  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('Customer', id);
    return this.db.transaction(async (uow) => {
      // The lock first, the checks in a statement of their own: a CDR batch holds the row
      // FOR KEY SHARE while it inserts (cdrs has no foreign key), so once the lock is ours
      // a fresh snapshot sees every CDR committed for the customer.
      const [{ found }] = await uow.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1 FOR UPDATE) AS found`, [local]);
      const [row] = await uow.query<{ found: boolean; trunks: number; cdrs: boolean; ledger: boolean }>(
        `SELECT $2::boolean AS found,
                (SELECT count(*)::int FROM trunks WHERE customer_id = $1) AS trunks,
                EXISTS (SELECT 1 FROM cdrs WHERE customer_id = $1) AS cdrs,
                EXISTS (SELECT 1 FROM balance_ledger WHERE customer_id = $1) AS ledger`,
        [local, found],
      );
      if (!row.found) throw notFound('Customer', id);
      const reasons = [
        row.trunks ? `${row.trunks} trunk(s) (delete them first)` : '',
        row.cdrs ? 'CDRs' : '',
        row.ledger ? 'balance ledger entries' : '',
      ].filter(Boolean);
      if (reasons.length) {
        throw conflict(`The customer has ${reasons.join(', ')}; its history is kept, so deactivate it with setCustomerStatus(INACTIVE) instead`, { reasons });
      }
      // alert_events has no foreign key (partitioned by week, docs/retention.md): the
      // customer's events go with it, as the cascade did. Its incidents and states cascade.
      await uow.query(`DELETE FROM alert_events WHERE customer_id = $1`, [local]);
      await uow.query(`DELETE FROM customers WHERE id = $1`, [local]);
      return true;
    });
  }

  /**
   * Sets the status of many customers in one transaction: an unknown id fails the whole
   * call and changes nothing. Any manual status clears suspended_until: a manual
   * SUSPENDED lasts until someone lifts it (the penalty job only lifts timed suspensions),
   * and ACTIVE/INACTIVE end any penalty. Each customer whose status changed is reported
   * (CUSTOMER_STATUS_CHANGED, status webhooks) with reason OPERATOR.
   */
  async setStatus(_ctx: RequestContext, ids: string[], status: CustomerStatus): Promise<CustomerType[]> {
    if (ids.length > MAX_PAGE_SIZE) throw badInput(`ids takes at most ${MAX_PAGE_SIZE} customers at once (a page of the list)`, 'ids');
    const locals = ids.map((id) => fromGlobalId('Customer', id));
    const unique = [...new Set(locals)];
    return this.db.transaction(async (uow) => {
      const rows = await this.statusChanges.set(
        uow,
        unique.map((customerId) => ({ customerId, status, suspendedUntil: null })),
        StatusChangeReason.OPERATOR,
      );
      if (rows.length !== unique.length) {
        const found = new Set(rows.map((r) => r.id));
        const missing = ids.find((_, i) => !found.has(locals[i]));
        throw notFound('Customer', missing);
      }
      const byId = new Map(rows.map((r) => [r.id, CustomerType.from(r)]));
      return unique.map((id) => byId.get(id)!);
    });
  }

  private async classDefaults(uow: UnitOfWork, classId: string, globalId: string): Promise<ClassDefaults> {
    const [row] = await uow.query<ClassDefaults>(
      `SELECT default_terms, default_credit_limit, default_call_limit, default_cps_limit
         FROM customer_classes WHERE id = $1 FOR KEY SHARE`,
      [classId],
    );
    if (!row) throw notFound('CustomerClass', globalId);
    return row;
  }
}

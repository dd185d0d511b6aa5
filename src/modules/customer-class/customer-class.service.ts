import { badInput, conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import { nonNegativeDecimal, nonNegativeInt, optionalText, requiredName } from '../../platform/common/validation';
import type { Database } from '../../platform/db/database';
import { ensureRoomFor } from '../../platform/db/row-cap';
import { SqlParams, type ColumnValues } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import { isTemplatedKind } from '../notification-template/notification-kind';
import type { CustomerClassInput } from './customer-class.inputs';
import { CLASS_COLUMNS, CustomerClassType, type CustomerClassRow } from './customer-class.type';

const UNIQUE = { customer_classes_name_key: () => conflict('A customer class with this name already exists') };

/** How many customer classes can exist: customerClasses lists them all, unpaged. */
export const MAX_CUSTOMER_CLASSES = MAX_PAGE_SIZE;

/** Customer classes: notification settings and the defaults new customers of the class get. */
export class CustomerClassService {
  constructor(private readonly db: Database) {}

  async list(_ctx: RequestContext): Promise<CustomerClassType[]> {
    // Whole: at most MAX_CUSTOMER_CLASSES exist (ensureRoomFor at creation).
    const rows = await this.db.query<CustomerClassRow>(`SELECT ${CLASS_COLUMNS} FROM customer_classes ORDER BY name, id LIMIT $1`, [MAX_CUSTOMER_CLASSES]);
    return rows.map(CustomerClassType.from);
  }

  async create(_ctx: RequestContext, input: CustomerClassInput): Promise<CustomerClassType> {
    return this.db.transaction(async (uow) => {
      const values = await this.values(uow, input);
      await ensureRoomFor(uow, 'customer_classes', MAX_CUSTOMER_CLASSES, 'customer classes');
      const q = new SqlParams();
      const [row] = await withConstraintErrors(
        () => uow.query<CustomerClassRow>(`INSERT INTO customer_classes ${q.insertValues(values)} RETURNING ${CLASS_COLUMNS}`, q.params),
        UNIQUE,
      );
      return CustomerClassType.from(row);
    });
  }

  async update(_ctx: RequestContext, id: string, input: CustomerClassInput): Promise<CustomerClassType> {
    const local = fromGlobalId('CustomerClass', id);
    return this.db.transaction(async (uow) => {
      const values = await this.values(uow, input);
      const q = new SqlParams();
      const rows = await withConstraintErrors(
        () =>
          uow.query<CustomerClassRow>(
            `UPDATE customer_classes SET ${q.assignments(values, ['updated_at = now()'])} WHERE id = ${q.param(local)} RETURNING ${CLASS_COLUMNS}`,
            q.params,
          ),
        UNIQUE,
      );
      if (!rows.length) throw notFound('CustomerClass', id);
      return CustomerClassType.from(rows[0]);
    });
  }

  /** A class still used by customers is a CONFLICT: their defaults and notifications hang on it. */
  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('CustomerClass', id);
    return this.db.transaction(async (uow) => {
      const [row] = await uow.query<{ found: boolean; customers: number }>(
        `SELECT EXISTS (SELECT 1 FROM customer_classes WHERE id = $1 FOR UPDATE) AS found,
                (SELECT count(*)::int FROM customers WHERE customer_class_id = $1) AS customers`,
        [local],
      );
      if (!row.found) throw notFound('CustomerClass', id);
      if (row.customers > 0) throw conflict(`The class is used by ${row.customers} customer(s); move them to another class first`);
      await uow.query(`DELETE FROM customer_classes WHERE id = $1`, [local]);
      return true;
    });
  }

  /** Column values of the fields given (name always; see ColumnValues); validates and resolves the template id. */
  private async values(uow: UnitOfWork, input: CustomerClassInput): Promise<ColumnValues> {
    nonNegativeInt(input.defaultCallLimit, 'defaultCallLimit');
    nonNegativeInt(input.defaultCpsLimit, 'defaultCpsLimit');
    nonNegativeDecimal(input.defaultCreditLimit, 'defaultCreditLimit');
    const untemplated = input.enabledNotifications?.find((k) => !isTemplatedKind(k));
    if (untemplated) throw badInput(`${untemplated} is the operator's status webhook, not a customer notification a class switches`, 'enabledNotifications');
    return {
      name: requiredName(input.name),
      description: optionalText(input.description, 'description'),
      notification_template_id: await this.template(uow, input.notificationTemplateId),
      enabled_notifications: input.enabledNotifications === undefined ? undefined : [...new Set(input.enabledNotifications ?? [])],
      default_terms: input.defaultTerms,
      default_credit_limit: input.defaultCreditLimit,
      default_call_limit: input.defaultCallLimit,
      default_cps_limit: input.defaultCpsLimit,
    };
  }

  /** The template's local id, held (KEY SHARE) until commit; null clears it, and any other value, '' included, must name one. */
  private async template(uow: UnitOfWork, globalId: string | null | undefined): Promise<string | null | undefined> {
    if (globalId === undefined || globalId === null) return globalId;
    const tpl = fromGlobalId('NotificationTemplate', globalId);
    const found = await uow.query(`SELECT 1 FROM notification_templates WHERE id = $1 FOR KEY SHARE`, [tpl]);
    if (!found.length) throw notFound('NotificationTemplate', globalId);
    return tpl;
  }
}

import { conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import { nonNegativeDecimal, nonNegativeInt, optionalText, requiredName } from '../../platform/common/validation';
import type { Database } from '../../platform/db/database';
import { ensureRoomFor } from '../../platform/db/row-cap';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import { CustomerClassEntity } from './customer-class.entity';
import type { CustomerClassInput } from './customer-class.inputs';
import { CustomerClassType } from './customer-class.type';

const UNIQUE = { customer_classes_name_key: () => conflict('A customer class with this name already exists') };

/** Column of each CustomerClassInput field (all but name are optional on update). */
const COLUMNS: Record<Exclude<keyof CustomerClassInput, 'name'>, string> = {
  description: 'description',
  notificationTemplateId: 'notification_template_id',
  enabledNotifications: 'enabled_notifications',
  defaultTerms: 'default_terms',
  defaultCreditLimit: 'default_credit_limit',
  defaultCallLimit: 'default_call_limit',
  defaultCpsLimit: 'default_cps_limit',
};

/** How many customer classes can exist: customerClasses lists them all, unpaged. */
export const MAX_CUSTOMER_CLASSES = MAX_PAGE_SIZE;

/** Customer classes: notification settings and the defaults new customers of the class get. */
export class CustomerClassService {
  constructor(private readonly db: Database) {}

  async list(_ctx: RequestContext): Promise<CustomerClassType[]> {
    // Whole: at most MAX_CUSTOMER_CLASSES exist (ensureRoomFor at creation).
    const rows = await this.db.dataSource.getRepository(CustomerClassEntity).find({ order: { name: 'ASC', id: 'ASC' }, take: MAX_CUSTOMER_CLASSES });
    return rows.map(CustomerClassType.from);
  }

  async create(_ctx: RequestContext, input: CustomerClassInput): Promise<CustomerClassType> {
    return this.db.transaction(async (uow) => {
      const values = await this.values(uow, input);
      await ensureRoomFor(uow, 'customer_classes', MAX_CUSTOMER_CLASSES, 'customer classes');
      const cols = Object.keys(values);
      const [row] = await withConstraintErrors(
        () =>
          uow.query<{ id: string }>(
            `INSERT INTO customer_classes (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
            Object.values(values),
          ),
        UNIQUE,
      );
      return this.get(uow, row.id);
    });
  }

  async update(_ctx: RequestContext, id: string, input: CustomerClassInput): Promise<CustomerClassType> {
    const local = fromGlobalId('CustomerClass', id);
    return this.db.transaction(async (uow) => {
      const values = await this.values(uow, input);
      const sets = Object.keys(values).map((c, i) => `${c} = $${i + 2}`);
      const rows = await withConstraintErrors(
        () => uow.query(`UPDATE customer_classes SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING id`, [local, ...Object.values(values)]),
        UNIQUE,
      );
      if (!rows.length) throw notFound('CustomerClass', id);
      return this.get(uow, local);
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

  /** Column values of the fields given (name always); validates and resolves the template id. */
  private async values(uow: UnitOfWork, input: CustomerClassInput): Promise<Record<string, unknown>> {
    nonNegativeInt(input.defaultCallLimit, 'defaultCallLimit');
    nonNegativeInt(input.defaultCpsLimit, 'defaultCpsLimit');
    nonNegativeDecimal(input.defaultCreditLimit, 'defaultCreditLimit');
    const values: Record<string, unknown> = { name: requiredName(input.name) };
    for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
      if (input[field] !== undefined) values[column] = input[field];
    }
    if (input.description !== undefined) values.description = optionalText(input.description, 'description');
    if (input.enabledNotifications !== undefined) values.enabled_notifications = [...new Set(input.enabledNotifications ?? [])];
    // null clears the template (copied above); any other value, '' included, must name one.
    if (input.notificationTemplateId !== undefined && input.notificationTemplateId !== null) {
      const tpl = fromGlobalId('NotificationTemplate', input.notificationTemplateId);
      const found = await uow.query(`SELECT 1 FROM notification_templates WHERE id = $1 FOR KEY SHARE`, [tpl]);
      if (!found.length) throw notFound('NotificationTemplate', input.notificationTemplateId);
      values.notification_template_id = tpl;
    }
    return values;
  }

  private async get(uow: UnitOfWork, localId: string): Promise<CustomerClassType> {
    return CustomerClassType.from(await uow.manager.getRepository(CustomerClassEntity).findOneByOrFail({ id: localId }));
  }
}

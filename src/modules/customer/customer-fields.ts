/**
 * How each writable customer field is validated and stored. Create and update share
 * it, so a rule (no negative limits, valid e-mails and phone numbers) holds whichever way a value arrives.
 */
import { badInput } from '../../platform/common/errors';
import { ianaTimeZone } from '../../platform/common/time-zone';
import { nonNegativeDecimal, nonNegativeInt, optionalEmail, optionalPhone, optionalText, requiredName } from '../../platform/common/validation';
import type { CreateCustomerInput, UpdateCustomerInput } from './customer.inputs';

type Kind = 'name' | 'text' | 'email' | 'phone' | 'enum' | 'limit' | 'money' | 'nonNegativeMoney' | 'bool' | 'timeZone';

interface FieldSpec {
  column: string;
  kind: Kind;
  /** Whether an explicit null may clear it (NOT NULL columns refuse null). */
  nullable: boolean;
}

type Writable = Exclude<keyof CreateCustomerInput | keyof UpdateCustomerInput, 'customerClassId' | 'balance'>;

export const CUSTOMER_FIELDS: Record<Writable, FieldSpec> = {
  name: { column: 'name', kind: 'name', nullable: false },
  company: { column: 'company', kind: 'text', nullable: true },
  type: { column: 'type', kind: 'enum', nullable: false },
  status: { column: 'status', kind: 'enum', nullable: false },
  terms: { column: 'terms', kind: 'enum', nullable: false },
  creditLimit: { column: 'credit_limit', kind: 'nonNegativeMoney', nullable: false },
  testCredit: { column: 'test_credit', kind: 'nonNegativeMoney', nullable: false },
  callLimit: { column: 'call_limit', kind: 'limit', nullable: true },
  cpsLimit: { column: 'cps_limit', kind: 'limit', nullable: true },
  minProfitability: { column: 'min_profitability', kind: 'money', nullable: true },
  mainEmail: { column: 'main_email', kind: 'email', nullable: true },
  nocEmail: { column: 'noc_email', kind: 'email', nullable: true },
  billingEmail: { column: 'billing_email', kind: 'email', nullable: true },
  ratesEmail: { column: 'rates_email', kind: 'email', nullable: true },
  phone: { column: 'phone', kind: 'phone', nullable: true },
  taxId: { column: 'tax_id', kind: 'text', nullable: true },
  address: { column: 'address', kind: 'text', nullable: true },
  prepaidBalanceTrigger: { column: 'prepaid_balance_trigger', kind: 'nonNegativeMoney', nullable: true },
  callDurationTrigger: { column: 'call_duration_trigger', kind: 'limit', nullable: false },
  lowBalanceThreshold: { column: 'low_balance_threshold', kind: 'money', nullable: true },
  notificationsEnabled: { column: 'notifications_enabled', kind: 'bool', nullable: false },
  timeZone: { column: 'time_zone', kind: 'timeZone', nullable: true },
};

function clean(field: string, spec: FieldSpec, value: unknown): unknown {
  if (value === null) {
    if (!spec.nullable) throw badInput(`${field} cannot be null`, field);
    return null;
  }
  switch (spec.kind) {
    case 'name':
      return requiredName(value as string, field);
    case 'text':
      return optionalText(value as string, field);
    case 'email':
      return optionalEmail(value as string, field);
    case 'phone':
      return optionalPhone(value as string, field);
    case 'limit':
      nonNegativeInt(value as number, field);
      return value;
    case 'nonNegativeMoney':
      nonNegativeDecimal(value as string, field);
      return value;
    case 'timeZone':
      return ianaTimeZone(value as string, field);
    default:
      return value;
  }
}

/**
 * Column values of the fields present in the input: a key left out (undefined) is
 * skipped, an explicit null clears a nullable column and is refused on a NOT NULL one.
 */
export function customerColumns(input: CreateCustomerInput | UpdateCustomerInput): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(CUSTOMER_FIELDS)) {
    const value = (input as unknown as Record<string, unknown>)[field];
    if (value !== undefined) values[spec.column] = clean(field, spec, value);
  }
  return values;
}

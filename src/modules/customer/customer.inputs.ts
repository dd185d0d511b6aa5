import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar } from '../../platform/common/scalars';
import { SortDirection } from '../../platform/common/sort-direction';
import { AccountType, CustomerStatus, PaymentTerms } from './customer.enums';
import { CustomerSortField } from './customer-sort';

@InputType({ description: 'Every given field narrows the result (AND). Text matches are case-insensitive substrings.' })
export class CustomerFilter {
  @Field(() => String, { nullable: true })
  search?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  company?: string | null;

  @Field(() => [CustomerStatus], { nullable: true })
  status?: CustomerStatus[] | null;

  @Field(() => [PaymentTerms], { nullable: true })
  terms?: PaymentTerms[] | null;

  @Field(() => [AccountType], { nullable: true })
  type?: AccountType[] | null;

  @Field(() => ID, { nullable: true })
  customerClassId?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  balanceBelow?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  balanceAbove?: string | null;
}

@InputType()
export class CustomerOrder {
  @Field(() => CustomerSortField)
  field!: CustomerSortField;

  @Field(() => SortDirection)
  direction!: SortDirection;
}

/** Fields every customer input shares (create adds name, status, balance; update makes name optional). */
@InputType('CustomerFieldsBase')
abstract class CustomerFields {
  @Field(() => String, { nullable: true })
  company?: string | null;

  @Field(() => AccountType, { nullable: true })
  type?: AccountType | null;

  @Field(() => PaymentTerms, { nullable: true })
  terms?: PaymentTerms | null;

  @Field(() => ID, { nullable: true })
  customerClassId?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  creditLimit?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  testCredit?: string | null;

  @Field(() => Int, { nullable: true })
  callLimit?: number | null;

  @Field(() => Int, { nullable: true })
  cpsLimit?: number | null;

  @Field(() => DecimalScalar, { nullable: true })
  minProfitability?: string | null;

  @Field(() => String, { nullable: true })
  mainEmail?: string | null;

  @Field(() => String, { nullable: true })
  nocEmail?: string | null;

  @Field(() => String, { nullable: true })
  billingEmail?: string | null;

  @Field(() => String, { nullable: true })
  ratesEmail?: string | null;

  @Field(() => String, { nullable: true, description: 'E.164 number for SMS notifications to the customer; empty clears it.' })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  taxId?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  prepaidBalanceTrigger?: string | null;

  @Field(() => Int, { nullable: true })
  callDurationTrigger?: number | null;

  @Field(() => DecimalScalar, { nullable: true })
  lowBalanceThreshold?: string | null;

  @Field(() => Boolean, { nullable: true })
  notificationsEnabled?: boolean | null;

  @Field(() => String, { nullable: true })
  timeZone?: string | null;
}

@InputType()
export class CreateCustomerInput extends CustomerFields {
  @Field({ description: 'Unique whatever its case: a name another customer has (e.g. "ACME" beside "Acme") is a CONFLICT.' })
  name!: string;

  @Field(() => CustomerStatus, { nullable: true })
  status?: CustomerStatus | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Opening balance, recorded in the ledger as an ADJUSTMENT.' })
  balance?: string | null;
}

@InputType({ description: 'Fields left out are unchanged; an explicit null clears a nullable field.' })
export class UpdateCustomerInput extends CustomerFields {
  @Field(() => String, { nullable: true, description: 'Unique whatever its case (CONFLICT otherwise).' })
  name?: string | null;
}

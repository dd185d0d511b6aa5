import { registerEnumType } from 'type-graphql';

export enum AccountType {
  CUSTOMER = 'CUSTOMER',
  CARRIER = 'CARRIER',
}

export enum CustomerStatus {
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
  SUSPENDED = 'SUSPENDED',
}

export enum PaymentTerms {
  PREPAID = 'PREPAID',
  POSTPAID = 'POSTPAID',
}

export enum BalanceChangeReason {
  CDR_CHARGES = 'CDR_CHARGES',
  PAYMENT = 'PAYMENT',
  ADJUSTMENT = 'ADJUSTMENT',
  RESET = 'RESET',
}

registerEnumType(AccountType, { name: 'AccountType' });
registerEnumType(CustomerStatus, {
  name: 'CustomerStatus',
  description: 'SUSPENDED is set by an alert penalty and lifted automatically when it expires.',
});
registerEnumType(PaymentTerms, { name: 'PaymentTerms' });
registerEnumType(BalanceChangeReason, { name: 'BalanceChangeReason' });

import { registerEnumType } from 'type-graphql';
import { PaymentTerms } from '../customer-class/payment-terms';

/** Customers and classes share the payment terms (a class sets its customers' default). */
export { PaymentTerms };

export enum AccountType {
  CUSTOMER = 'CUSTOMER',
  CARRIER = 'CARRIER',
}

export enum CustomerStatus {
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
  SUSPENDED = 'SUSPENDED',
}



registerEnumType(AccountType, { name: 'AccountType' });
registerEnumType(CustomerStatus, {
  name: 'CustomerStatus',
  description: 'SUSPENDED is set by an alert penalty and lifted automatically when it expires.',
});

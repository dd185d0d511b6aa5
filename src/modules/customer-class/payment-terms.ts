import { registerEnumType } from 'type-graphql';

export enum PaymentTerms {
  PREPAID = 'PREPAID',
  POSTPAID = 'POSTPAID',
}

registerEnumType(PaymentTerms, { name: 'PaymentTerms' });

import { registerEnumType } from 'type-graphql';

export enum CustomerSortField {
  NAME = 'NAME',
  COMPANY = 'COMPANY',
  BALANCE = 'BALANCE',
  CREATED_AT = 'CREATED_AT',
  AVAILABLE_CREDIT = 'AVAILABLE_CREDIT',
}

registerEnumType(CustomerSortField, {
  name: 'CustomerSortField',
  valuesConfig: {
    AVAILABLE_CREDIT: { description: 'balance + creditLimit: ASC puts the customers closest to being cut off first.' },
  },
});

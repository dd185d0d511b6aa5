import { registerEnumType } from 'type-graphql';

export enum CustomerSortField {
  NAME = 'NAME',
  COMPANY = 'COMPANY',
  BALANCE = 'BALANCE',
  CREATED_AT = 'CREATED_AT',
}

registerEnumType(CustomerSortField, { name: 'CustomerSortField' });

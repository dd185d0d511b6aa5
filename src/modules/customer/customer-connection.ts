import { ObjectType } from 'type-graphql';
import { Connection } from '../../platform/common/pagination';
import { CustomerType } from './customer.type';

@ObjectType('CustomerConnection')
export class CustomerConnection extends Connection(CustomerType, 'Customer') {}

import { ObjectType } from 'type-graphql';
import { Connection } from '../../platform/common/pagination';
import { HostType } from './host.type';

@ObjectType('HostConnection')
export class HostConnection extends Connection(HostType, 'Host') {}

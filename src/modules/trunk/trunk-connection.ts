import { ObjectType } from 'type-graphql';
import { Connection } from '../../platform/common/pagination';
import { TrunkType } from './trunk.type';

@ObjectType('TrunkConnection')
export class TrunkConnection extends Connection(TrunkType, 'Trunk') {}

import { ObjectType } from 'type-graphql';
import { Connection } from '../../common/pagination';
import { TrunkType } from './trunk.type';

@ObjectType('TrunkConnection')
export class TrunkConnection extends Connection(TrunkType, 'Trunk') {}

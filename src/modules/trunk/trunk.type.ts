import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import type { TrunkEntity } from './trunk.entity';
import { TrunkDirection } from './trunk.enums';

@ObjectType('Trunk', { implements: Node })
export class TrunkType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  customerLocalId!: string;

  @Field()
  name!: string;

  @Field(() => TrunkDirection)
  direction!: TrunkDirection;

  @Field()
  enabled!: boolean;

  @Field(() => Int, { nullable: true })
  callLimit!: number | null;

  @Field(() => Int, { nullable: true })
  cpsLimit!: number | null;

  @Field(() => String, { nullable: true })
  techPrefix!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(e: TrunkEntity): TrunkType {
    const t = new TrunkType();
    t.id = toGlobalId('Trunk', e.id);
    t.localId = e.id;
    t.customerLocalId = e.customerId;
    t.name = e.name;
    t.direction = e.direction;
    t.enabled = e.enabled;
    t.callLimit = e.callLimit;
    t.cpsLimit = e.cpsLimit;
    t.techPrefix = e.techPrefix;
    t.createdAt = e.createdAt;
    t.updatedAt = e.updatedAt;
    return t;
  }
}

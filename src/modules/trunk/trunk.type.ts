import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import { TrunkDirection } from './trunk.enums';

/** A trunks row as TRUNK_COLUMNS selects it (`FROM trunks t`); CDRs may name their customer by an ingress trunk's name. */
export interface TrunkRow {
  id: string;
  name: string;
  customer_id: string;
  direction: TrunkDirection;
  enabled: boolean;
  call_limit: number | null;
  cps_limit: number | null;
  tech_prefix: string | null;
  created_at: Date;
  updated_at: Date;
}

export const TRUNK_COLUMNS = 't.id, t.name, t.customer_id, t.direction, t.enabled, t.call_limit, t.cps_limit, t.tech_prefix, t.created_at, t.updated_at';

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

  static from(r: TrunkRow): TrunkType {
    const t = new TrunkType();
    t.id = toGlobalId('Trunk', r.id);
    t.localId = r.id;
    t.customerLocalId = r.customer_id;
    t.name = r.name;
    t.direction = r.direction;
    t.enabled = r.enabled;
    t.callLimit = r.call_limit;
    t.cpsLimit = r.cps_limit;
    t.techPrefix = r.tech_prefix;
    t.createdAt = r.created_at;
    t.updatedAt = r.updated_at;
    return t;
  }
}

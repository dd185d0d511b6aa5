import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import { addressText } from '../trunk/address-owners';

/** A hosts row as HOST_COLUMNS selects it (ip already rendered, customer joined from the trunk). */
export interface HostRow {
  id: string;
  ip: string;
  port: number | null;
  trunk_id: string;
  customer_id: string;
  enabled: boolean;
  call_limit: number | null;
  cps_limit: number | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Columns of a host for `FROM hosts h JOIN trunks t ON t.id = h.trunk_id`: a single
 * address is shown without its /32 or /128, a block in CIDR notation.
 */
export const HOST_COLUMNS = `h.id, ${addressText('h.ip')} AS ip, h.port, h.trunk_id, h.customer_id, h.enabled, h.call_limit, h.cps_limit, h.created_at, h.updated_at`;

@ObjectType('Host', { implements: Node, description: 'A signalling address of a trunk: one IP (v4 or v6) or a CIDR block.' })
export class HostType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  trunkLocalId!: string;
  customerLocalId!: string;

  @Field()
  ip!: string;

  @Field(() => Int, { nullable: true })
  port!: number | null;

  @Field()
  enabled!: boolean;

  @Field(() => Int, { nullable: true })
  callLimit!: number | null;

  @Field(() => Int, { nullable: true })
  cpsLimit!: number | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(r: HostRow): HostType {
    const t = new HostType();
    t.id = toGlobalId('Host', r.id);
    t.localId = r.id;
    t.trunkLocalId = r.trunk_id;
    t.customerLocalId = r.customer_id;
    t.ip = r.ip;
    t.port = r.port;
    t.enabled = r.enabled;
    t.callLimit = r.call_limit;
    t.cpsLimit = r.cps_limit;
    t.createdAt = r.created_at;
    t.updatedAt = r.updated_at;
    return t;
  }
}

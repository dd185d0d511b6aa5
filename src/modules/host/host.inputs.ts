import { Field, ID, InputType, Int } from 'type-graphql';
import { CustomerStatus } from '../customer/customer.enums';

@InputType({ description: 'ip matches hosts equal to it, hosts whose block contains it, and hosts inside it when it is a block.' })
export class HostFilter {
  @Field(() => String, { nullable: true })
  ip?: string | null;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the customer name.' })
  customerName?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the trunk name.' })
  trunkName?: string | null;

  @Field(() => [CustomerStatus], { nullable: true, description: 'Status of the host\'s customer.' })
  status?: CustomerStatus[] | null;
}

/** On update, optional fields left out are unchanged and an explicit null clears port or a limit. */
@InputType()
export class HostInput {
  @Field({
    description:
      'An IPv4/IPv6 address or CIDR block (an IPv4-mapped IPv6 address is stored as IPv4). On an ingress trunk, an enabled host may not have the address or block of an enabled ingress host of another customer, whatever the ports: CONFLICT naming that customer (extensions ownerCustomerId, ownerCustomerName). A nested, more specific block may belong to another customer; it wins for the addresses it covers.',
  })
  ip!: string;

  @Field(() => Int, { nullable: true })
  port?: number | null;

  @Field(() => ID)
  trunkId!: string;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  callLimit?: number | null;

  @Field(() => Int, { nullable: true })
  cpsLimit?: number | null;
}

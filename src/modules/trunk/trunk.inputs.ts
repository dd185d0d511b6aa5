import { Field, ID, InputType, Int } from 'type-graphql';
import { TrunkDirection } from './trunk.enums';

@InputType()
export class TrunkFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  name?: string | null;

  @Field(() => TrunkDirection, { nullable: true })
  direction?: TrunkDirection | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}

/** On update, optional fields left out are unchanged and an explicit null clears a limit or prefix. */
@InputType()
export class TrunkInput {
  @Field()
  name!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => TrunkDirection, { nullable: true })
  direction?: TrunkDirection | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  callLimit?: number | null;

  @Field(() => Int, { nullable: true })
  cpsLimit?: number | null;

  @Field(() => String, { nullable: true })
  techPrefix?: string | null;
}

import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { CallDisposition } from './cdr.enums';

@InputType('CdrInput', {
  description:
    "One call detail record from a switch. callId is the switch's unique id: a record\nwith a callId already stored is a duplicate and is never charged twice. The\ncustomer is named by exactly one of customerId, trunk (name of an ingress trunk)\nor sourceIp (matched against hosts).",
})
export class CdrInput {
  @Field()
  callId!: string;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => String, { nullable: true })
  trunk?: string | null;

  @Field(() => String, { nullable: true })
  sourceIp?: string | null;

  @Field(() => String, { nullable: true })
  caller?: string | null;

  @Field()
  callee!: string;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => Int)
  duration!: number;

  @Field(() => CallDisposition)
  disposition!: CallDisposition;

  @Field(() => DecimalScalar)
  charge!: string;
}

@InputType('CdrFilter', {
  description:
    'Every given field narrows the result (AND). from is inclusive, to exclusive (startedAt).\ncallee matches numbers starting with the given digits (a destination prefix).',
})
export class CdrFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  trunkId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date | null;

  @Field(() => [CallDisposition], { nullable: true })
  disposition?: CallDisposition[] | null;

  @Field(() => Int, { nullable: true })
  minDuration?: number | null;

  @Field(() => String, { nullable: true })
  callee?: string | null;
}

import { Field, Int, ObjectType } from 'type-graphql';
import { normaliseDecimal } from '../../platform/common/decimal';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';

/** A window's sums as the call-stats statement selects them (counts and sums read as exact text). */
export interface CallStatsRow {
  customer_id: string;
  minutes: number;
  attempts: string;
  answered: string;
  answered_seconds: string;
  spend: string;
  asr: string | null;
  acd: string | null;
}

@ObjectType('CallStats', {
  description:
    "A customer's calls over the last `minutes` minutes, by start time: the calls started after\n`from`. The figures are those the ASR, ACD, SPEND and CALL_COUNT alert rules see for a\nsamplePeriod of the same length.",
})
export class CallStatsType {
  @Field(() => Int, { description: 'The window asked for, in minutes.' })
  minutes!: number;

  @Field(() => DateTimeScalar, { description: 'Start of the window (to - minutes): calls started after it count.' })
  from!: Date;

  @Field(() => DateTimeScalar, {
    description: 'End of the window: now. A call a switch dated a little ahead of it (clock skew, at most 5 minutes) counts as well, as in the alert rules.',
  })
  to!: Date;

  @Field(() => Int, { description: 'Calls attempted (CALL_COUNT).' })
  calls!: number;

  @Field(() => Int, { description: 'Calls answered (disposition ANSWERED).' })
  answered!: number;

  @Field(() => DecimalScalar, { nullable: true, description: 'Answer-seizure ratio: answered / calls, in percent (ASR). Null without calls.' })
  asr!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Average call duration of the answered calls, in seconds (ACD). Null without answered calls.' })
  acd!: string | null;

  @Field(() => DecimalScalar, { description: "Sum of the calls' charges (SPEND)." })
  spend!: string;

  @Field(() => DecimalScalar, { description: 'Billable seconds: the total duration of the answered calls (a whole number).' })
  durationSeconds!: string;

  static from(r: CallStatsRow, to: Date): CallStatsType {
    const t = new CallStatsType();
    t.minutes = r.minutes;
    t.to = to;
    t.from = new Date(to.getTime() - r.minutes * 60_000);
    t.calls = Number(r.attempts);
    t.answered = Number(r.answered);
    t.asr = r.asr === null ? null : normaliseDecimal(r.asr);
    t.acd = r.acd === null ? null : normaliseDecimal(r.acd);
    t.spend = normaliseDecimal(r.spend);
    t.durationSeconds = normaliseDecimal(r.answered_seconds);
    return t;
  }
}

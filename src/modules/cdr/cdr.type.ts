import { Extensions, Field, ID, Int, ObjectType } from 'type-graphql';
import { normaliseDecimal } from '../../platform/common/decimal';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { LOG_COUNT_DESCRIPTION } from '../../platform/common/keyset';
import { Connection } from '../../platform/common/pagination';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { BalanceChangeType } from '../balance/balance-change.type';
import { CallDisposition } from './cdr.enums';

/** A cdrs row as the read queries select it (snake_case columns). */
export interface CdrRow {
  id: string;
  call_id: string;
  customer_id: string;
  trunk_id: string | null;
  caller: string | null;
  callee: string;
  started_at: Date;
  duration: number;
  disposition: CallDisposition;
  charge: string;
  ingested_at: Date;
}

@ObjectType('Cdr', { implements: Node })
export class CdrType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  customerLocalId!: string;
  trunkLocalId!: string | null;

  @Field()
  callId!: string;

  @Field(() => String, { nullable: true })
  caller!: string | null;

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

  @Field(() => DateTimeScalar)
  ingestedAt!: Date;

  static from(r: CdrRow): CdrType {
    const t = new CdrType();
    t.id = toGlobalId('Cdr', r.id);
    t.localId = String(r.id);
    t.customerLocalId = r.customer_id;
    t.trunkLocalId = r.trunk_id;
    t.callId = r.call_id;
    t.caller = r.caller;
    t.callee = r.callee;
    t.startedAt = r.started_at;
    t.duration = r.duration;
    t.disposition = r.disposition;
    t.charge = normaliseDecimal(r.charge);
    t.ingestedAt = r.ingested_at;
    return t;
  }
}

@ObjectType('CdrConnection')
export class CdrConnection extends Connection(CdrType, 'Cdr', LOG_COUNT_DESCRIPTION) {}

export type CdrRejectionCode = 'INVALID' | 'UNKNOWN_CUSTOMER' | 'DUPLICATE_CONFLICT' | 'DUPLICATE_IN_BATCH' | 'OVERFLOW' | 'BEYOND_RETENTION';

@ObjectType('CdrRejection', {
  description:
    'Why a record was not charged. code is one of INVALID (a field is wrong: field\nnames it), UNKNOWN_CUSTOMER, DUPLICATE_CONFLICT (callId stored with other data),\nDUPLICATE_IN_BATCH, OVERFLOW (a customer whose records of this batch would take\nits balance or accrued charges beyond ±10^18; its records are refused, the rest go through),\nBEYOND_RETENTION (startedAt older than the records kept, CDR_RETENTION_DAYS: its callId\ncan no longer be checked for duplicates, so it is not charged; field is startedAt).',
})
export class CdrRejection {
  @Field(() => Int)
  index!: number;

  @Field(() => String, { nullable: true })
  callId!: string | null;

  @Field(() => String)
  code!: CdrRejectionCode;

  @Field(() => String, { nullable: true })
  field!: string | null;

  @Field()
  reason!: string;
}

@ObjectType('CdrBatchResult', {
  description:
    'The outcome of one submitCdrs call. Valid records are charged in one\ntransaction together with their balance changes and alert events; invalid\nones are listed in rejected and change nothing. An exact resubmission counts\nas duplicates and changes nothing.',
})
export class CdrBatchResult<Outcome = unknown> {
  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  duplicates!: number;

  @Extensions({ listSize: 'cdrBatch' })
  @Field(() => [CdrRejection])
  rejected!: CdrRejection[];

  @Extensions({ listSize: 'cdrBatch' })
  @Field(() => [BalanceChangeType])
  balanceChanges!: BalanceChangeType[];

  /**
   * What the batch's reaction returned (see CdrBatchReaction); undefined when nothing
   * was charged. Higher modules resolve their fields of the result from it.
   */
  outcome?: Outcome;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CallDisposition } from './cdr.enums';

/**
 * A stored call detail record. The hot path (submitCdrs) writes this table with
 * set-based SQL, not through the entity; the entity serves the ORM baseline of the
 * benchmark and ad-hoc reads.
 */
@Entity('cdrs')
export class CdrEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('text', { name: 'call_id' })
  callId!: string;

  @Column('uuid', { name: 'customer_id' })
  customerId!: string;

  @Column('uuid', { name: 'trunk_id', nullable: true })
  trunkId!: string | null;

  @Column('text', { nullable: true })
  caller!: string | null;

  @Column('text')
  callee!: string;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('integer')
  duration!: number;

  @Column('text')
  disposition!: CallDisposition;

  @Column('numeric', { precision: 28, scale: 10 })
  charge!: string;

  @Column('timestamptz', { name: 'ingested_at', default: () => 'now()' })
  ingestedAt!: Date;
}

/**
 * TypeORM entities of the naive baseline (cdr-scenarios.ts): what a user who maps the
 * tables with an ORM would write instead of Lineguard's SQL. The application has no
 * entities; these map every column of the two tables, as such a user would, so the
 * baseline reads and writes what it always did.
 */
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('cdrs')
export class CdrEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column('text', { name: 'call_id' }) callId!: string;
  @Column('uuid', { name: 'customer_id' }) customerId!: string;
  @Column('uuid', { name: 'trunk_id', nullable: true }) trunkId!: string | null;
  @Column('text', { nullable: true }) caller!: string | null;
  @Column('text') callee!: string;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('integer') duration!: number;
  @Column('text') disposition!: string;
  @Column('numeric', { precision: 28, scale: 10 }) charge!: string;
  @Column('timestamptz', { name: 'ingested_at', default: () => 'now()' }) ingestedAt!: Date;
}

@Entity('customers')
export class CustomerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) company!: string | null;
  @Column('text') type!: string;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'suspended_until', nullable: true }) suspendedUntil!: Date | null;
  @Column('text') terms!: string;
  @Column('numeric', { precision: 28, scale: 10 }) balance!: string;
  @Column('numeric', { name: 'credit_limit', precision: 28, scale: 10 }) creditLimit!: string;
  @Column('numeric', { name: 'accrued_charges', precision: 28, scale: 10 }) accruedCharges!: string;
  @Column('numeric', { name: 'test_credit', precision: 28, scale: 10 }) testCredit!: string;
  @Column('integer', { name: 'call_limit', nullable: true }) callLimit!: number | null;
  @Column('integer', { name: 'cps_limit', nullable: true }) cpsLimit!: number | null;
  @Column('numeric', { name: 'min_profitability', precision: 28, scale: 10, nullable: true }) minProfitability!: string | null;
  @Column('text', { name: 'main_email', nullable: true }) mainEmail!: string | null;
  @Column('text', { name: 'noc_email', nullable: true }) nocEmail!: string | null;
  @Column('text', { name: 'billing_email', nullable: true }) billingEmail!: string | null;
  @Column('text', { name: 'rates_email', nullable: true }) ratesEmail!: string | null;
  @Column('text', { name: 'tax_id', nullable: true }) taxId!: string | null;
  @Column('text', { nullable: true }) address!: string | null;
  @Column('uuid', { name: 'customer_class_id', nullable: true }) customerClassId!: string | null;
  @Column('numeric', { name: 'prepaid_balance_trigger', precision: 28, scale: 10, nullable: true }) prepaidBalanceTrigger!: string | null;
  @Column('integer', { name: 'call_duration_trigger' }) callDurationTrigger!: number;
  @Column('numeric', { name: 'low_balance_threshold', precision: 28, scale: 10, nullable: true }) lowBalanceThreshold!: string | null;
  @Column('boolean', { name: 'notifications_enabled' }) notificationsEnabled!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

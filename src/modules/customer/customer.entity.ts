import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AccountType, CustomerStatus, PaymentTerms } from './customer.enums';

/**
 * A customer or carrier account. Money columns are NUMERIC and read as strings;
 * balance and accrued_charges change only through BalanceLedger.
 */
@Entity('customers')
export class CustomerEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  company!: string | null;

  @Column('text')
  type!: AccountType;

  @Column('text')
  status!: CustomerStatus;

  @Column('timestamptz', { name: 'suspended_until', nullable: true })
  suspendedUntil!: Date | null;

  @Column('text')
  terms!: PaymentTerms;

  @Column('numeric', { precision: 28, scale: 10 })
  balance!: string;

  @Column('numeric', { name: 'credit_limit', precision: 28, scale: 10 })
  creditLimit!: string;

  @Column('numeric', { name: 'accrued_charges', precision: 28, scale: 10 })
  accruedCharges!: string;

  @Column('numeric', { name: 'test_credit', precision: 28, scale: 10 })
  testCredit!: string;

  @Column('integer', { name: 'call_limit', nullable: true })
  callLimit!: number | null;

  @Column('integer', { name: 'cps_limit', nullable: true })
  cpsLimit!: number | null;

  @Column('numeric', { name: 'min_profitability', precision: 28, scale: 10, nullable: true })
  minProfitability!: string | null;

  @Column('text', { name: 'main_email', nullable: true })
  mainEmail!: string | null;

  @Column('text', { name: 'noc_email', nullable: true })
  nocEmail!: string | null;

  @Column('text', { name: 'billing_email', nullable: true })
  billingEmail!: string | null;

  @Column('text', { name: 'rates_email', nullable: true })
  ratesEmail!: string | null;

  @Column('text', { name: 'tax_id', nullable: true })
  taxId!: string | null;

  @Column('text', { nullable: true })
  address!: string | null;

  @Column('uuid', { name: 'customer_class_id', nullable: true })
  customerClassId!: string | null;

  @Column('numeric', { name: 'prepaid_balance_trigger', precision: 28, scale: 10, nullable: true })
  prepaidBalanceTrigger!: string | null;

  @Column('integer', { name: 'call_duration_trigger' })
  callDurationTrigger!: number;

  @Column('numeric', { name: 'low_balance_threshold', precision: 28, scale: 10, nullable: true })
  lowBalanceThreshold!: string | null;

  @Column('boolean', { name: 'notifications_enabled' })
  notificationsEnabled!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

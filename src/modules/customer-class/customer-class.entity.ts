import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { PaymentTerms } from './payment-terms';
import type { NotificationKind } from '../notification-template/notification-kind';

/**
 * A class of customers: which notifications they get (and from which template), and
 * the defaults a new customer of the class starts with ("create by template").
 */
@Entity('customer_classes')
export class CustomerClassEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('uuid', { name: 'notification_template_id', nullable: true })
  notificationTemplateId!: string | null;

  @Column('text', { name: 'enabled_notifications', array: true })
  enabledNotifications!: NotificationKind[];

  @Column('text', { name: 'default_terms', nullable: true })
  defaultTerms!: PaymentTerms | null;

  @Column('numeric', { name: 'default_credit_limit', precision: 28, scale: 10, nullable: true })
  defaultCreditLimit!: string | null;

  @Column('integer', { name: 'default_call_limit', nullable: true })
  defaultCallLimit!: number | null;

  @Column('integer', { name: 'default_cps_limit', nullable: true })
  defaultCpsLimit!: number | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

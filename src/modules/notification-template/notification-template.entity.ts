import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { NotificationKind } from './notification-kind';

/** One Handlebars message of a template, as stored in the messages jsonb array. */
export interface StoredMessage {
  kind: NotificationKind;
  subject: string;
  body: string;
  bcc: string[];
}

/** Named set of Handlebars messages, one per notification kind; validated on write. */
@Entity('notification_templates')
export class NotificationTemplateEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('jsonb')
  messages!: StoredMessage[];

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

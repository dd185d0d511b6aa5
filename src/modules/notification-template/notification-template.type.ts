import { Extensions, Field, ID, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import { NotificationKind } from './notification-kind';

/** One Handlebars message of a template, as stored in the messages jsonb array. */
export interface StoredMessage {
  kind: NotificationKind;
  subject: string;
  body: string;
  bcc: string[];
  /** SMS text; null (or absent, in rows saved before SMS texts existed): the subject is sent. */
  sms?: string | null;
}

/** A notification_templates row as TEMPLATE_COLUMNS selects it. */
export interface NotificationTemplateRow {
  id: string;
  name: string;
  messages: StoredMessage[];
  created_at: Date;
  updated_at: Date;
}

export const TEMPLATE_COLUMNS = 'id, name, messages, created_at, updated_at';

@ObjectType('NotificationMessage', { description: 'A Handlebars message: subject, body, BCC and SMS text are templates over the event\'s data.' })
export class NotificationMessageType {
  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field(() => [String])
  bcc!: string[];

  @Field(() => String, { nullable: true, description: 'SMS text (a Handlebars template over the same data); null: the subject is sent.' })
  sms!: string | null;
}

@ObjectType('NotificationTemplate', { implements: Node })
export class NotificationTemplateType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;

  @Field()
  name!: string;

  // At most one message per kind.
  @Extensions({ listSize: { max: Object.keys(NotificationKind).length } })
  @Field(() => [NotificationMessageType])
  messages!: NotificationMessageType[];

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(r: NotificationTemplateRow): NotificationTemplateType {
    const t = new NotificationTemplateType();
    t.id = toGlobalId('NotificationTemplate', r.id);
    t.localId = r.id;
    t.name = r.name;
    t.messages = r.messages.map((m) => Object.assign(new NotificationMessageType(), { ...m, bcc: m.bcc ?? [], sms: m.sms ?? null }));
    t.createdAt = r.created_at;
    t.updatedAt = r.updated_at;
    return t;
  }
}

import { Extensions, Field, ID, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import { NotificationKind } from './notification-kind';
import type { NotificationTemplateEntity } from './notification-template.entity';

@ObjectType('NotificationMessage', { description: 'A Handlebars message: subject, body and BCC are templates over the event\'s data.' })
export class NotificationMessageType {
  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field(() => [String])
  bcc!: string[];
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

  static from(e: NotificationTemplateEntity): NotificationTemplateType {
    const t = new NotificationTemplateType();
    t.id = toGlobalId('NotificationTemplate', e.id);
    t.localId = e.id;
    t.name = e.name;
    t.messages = e.messages.map((m) => Object.assign(new NotificationMessageType(), { ...m, bcc: m.bcc ?? [] }));
    t.createdAt = e.createdAt;
    t.updatedAt = e.updatedAt;
    return t;
  }
}

import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { PaymentTerms } from './payment-terms';
import { NotificationKind } from '../notification-template/notification-kind';
import type { CustomerClassEntity } from './customer-class.entity';

@ObjectType('CustomerClass', { implements: Node })
export class CustomerClassType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  notificationTemplateLocalId!: string | null;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [NotificationKind])
  enabledNotifications!: NotificationKind[];

  @Field(() => PaymentTerms, { nullable: true })
  defaultTerms!: PaymentTerms | null;

  @Field(() => DecimalScalar, { nullable: true })
  defaultCreditLimit!: string | null;

  @Field(() => Int, { nullable: true })
  defaultCallLimit!: number | null;

  @Field(() => Int, { nullable: true })
  defaultCpsLimit!: number | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(e: CustomerClassEntity): CustomerClassType {
    const t = new CustomerClassType();
    t.id = toGlobalId('CustomerClass', e.id);
    t.localId = e.id;
    t.notificationTemplateLocalId = e.notificationTemplateId;
    t.name = e.name;
    t.description = e.description;
    t.enabledNotifications = e.enabledNotifications;
    t.defaultTerms = e.defaultTerms;
    t.defaultCreditLimit = e.defaultCreditLimit;
    t.defaultCallLimit = e.defaultCallLimit;
    t.defaultCpsLimit = e.defaultCpsLimit;
    t.createdAt = e.createdAt;
    t.updatedAt = e.updatedAt;
    return t;
  }
}

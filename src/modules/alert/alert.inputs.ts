import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { AccountType } from '../customer/customer.enums';
import { AlertArea, AlertEventKind, AlertOperator, IncidentStatus } from './alert.enums';

@InputType('AlertDefinitionInput')
export class AlertDefinitionInput {
  @Field()
  title!: string;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  customerClassId?: string | null;

  @Field(() => AccountType, { nullable: true })
  accountType?: AccountType | null;

  @Field(() => AlertArea)
  area!: AlertArea;

  @Field(() => AlertOperator)
  operator!: AlertOperator;

  @Field(() => DecimalScalar)
  threshold!: string;

  @Field(() => DecimalScalar, { nullable: true })
  resetThreshold?: string | null;

  @Field(() => Int, { nullable: true })
  samplePeriod?: number | null;

  @Field(() => Int, { nullable: true })
  minCalls?: number | null;

  @Field(() => Int, { nullable: true })
  penalty?: number | null;

  @Field(() => Int, { nullable: true })
  repeatInterval?: number | null;

  @Field(() => [String], { nullable: true })
  emails?: string[] | null;

  @Field(() => [String], { nullable: true })
  phones?: string[] | null;

  @Field(() => [String], { nullable: true })
  webhookUrls?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  notifyCustomer?: boolean | null;

  @Field(() => ID, { nullable: true })
  templateId?: string | null;
}

@InputType('AlertDefinitionFilter')
export class AlertDefinitionFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  customerClassId?: string | null;

  @Field(() => [AlertArea], { nullable: true })
  area?: AlertArea[] | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  triggered?: boolean | null;

  @Field(() => String, { nullable: true })
  search?: string | null;
}

@InputType('AlertEventFilter')
export class AlertEventFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  customerClassId?: string | null;

  @Field(() => ID, { nullable: true })
  definitionId?: string | null;

  @Field(() => [AlertEventKind], { nullable: true })
  kinds?: AlertEventKind[] | null;

  @Field(() => DateTimeScalar, { nullable: true })
  since?: Date | null;
}

@InputType('AlertIncidentFilter', { description: 'Every given field narrows the result (AND).' })
export class AlertIncidentFilter {
  @Field(() => [IncidentStatus], { nullable: true })
  status?: IncidentStatus[] | null;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  customerClassId?: string | null;

  @Field(() => ID, { nullable: true })
  definitionId?: string | null;

  @Field(() => [AlertArea], { nullable: true })
  area?: AlertArea[] | null;

  @Field(() => String, { nullable: true })
  assignee?: string | null;
}

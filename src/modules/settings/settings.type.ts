import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../platform/common/scalars';

/** The settings row (one, created by the migration) as SETTINGS_COLUMNS selects it. */
export interface SettingsRow {
  alert_emails: string[];
  alert_phones: string[];
  alert_webhook_urls: string[];
  status_webhook_urls: string[];
  time_zone: string;
  updated_at: Date;
}

export const SETTINGS_COLUMNS = 's.alert_emails, s.alert_phones, s.alert_webhook_urls, s.status_webhook_urls, s.time_zone, s.updated_at';

@ObjectType('Settings', {
  description:
    'Operator-wide settings (one row). Rules that name no recipients of their own send to\n' +
    'alertEmails, alertPhones and alertWebhookUrls; that includes the customers\' own built-in\n' +
    'triggers (prepaidBalanceTrigger, callDurationTrigger, lowBalanceThreshold), which is how\n' +
    'CDR2Cloud\'s "email me and call my URL when a customer\'s trigger fires" works.\n' +
    'statusWebhookUrls receive a signed customer.status_changed webhook whenever a customer\'s\n' +
    'status changes (penalty, reminder suspension, operator): how a switch learns to block or\n' +
    'unblock an account. timeZone (IANA) is used for schedules and dates in messages when a\n' +
    'customer has none of its own.',
})
export class SettingsType {
  @Field(() => [String])
  alertEmails!: string[];

  @Field(() => [String])
  alertPhones!: string[];

  @Field(() => [String])
  alertWebhookUrls!: string[];

  @Field(() => [String])
  statusWebhookUrls!: string[];

  @Field()
  timeZone!: string;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(r: SettingsRow): SettingsType {
    const t = new SettingsType();
    t.alertEmails = r.alert_emails;
    t.alertPhones = r.alert_phones;
    t.alertWebhookUrls = r.alert_webhook_urls;
    t.statusWebhookUrls = r.status_webhook_urls;
    t.timeZone = r.time_zone;
    t.updatedAt = r.updated_at;
    return t;
  }
}

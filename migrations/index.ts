/** Every migration, in order. New ones are appended here (and never edited once released). */
import { Foundation1732406400000 } from './1732406400000-foundation';
import { Cdrs1732406400200 } from './1732406400200-cdrs';
import { Alerts1732406400300 } from './1732406400300-alerts';
import { Notifications1732406400400 } from './1732406400400-notifications';
import { CallBucketFillfactor1732406400500 } from './1732406400500-call-bucket-fillfactor';
import { CallBucketDeltas1732406400600 } from './1732406400600-call-bucket-deltas';
import { CustomerBalanceHot1732406400700 } from './1732406400700-customer-balance-hot';
import { AlertValueRange1732406400810 } from './1732406400810-alert-value-range';
import { BalanceIdempotencyKeys1732406400850 } from './1732406400850-balance-idempotency-keys';
import { NotificationDrafts1732406401100 } from './1732406401100-notification-drafts';
import { Settings1732406401210 } from './1732406401210-settings';
import { AddressOwners1732406401230 } from './1732406401230-address-owners';
import { Ledger1732406401240 } from './1732406401240-ledger';
import { TemplateMessages1732406401250 } from './1732406401250-template-messages';
import { Reminders1732406401260 } from './1732406401260-reminders';
import { Incidents1732406401300 } from './1732406401300-incidents';
import { ListIndexes1732406401400 } from './1732406401400-list-indexes';
import { CdrPartitions1732406401500 } from './1732406401500-cdr-partitions';
import { CallBucketPartitions1732406401510 } from './1732406401510-call-bucket-partitions';
import { AlertEventOrder1732406401600 } from './1732406401600-alert-event-order';
import { AlertRuleScope1732406401610 } from './1732406401610-alert-rule-scope';
import { CdrCallIdPerDay1732406401620 } from './1732406401620-cdr-callid-per-day';
import { AlertEventPartitions1732406401700 } from './1732406401700-alert-event-partitions';
import { JobRuns1732406401800 } from './1732406401800-job-runs';
import { CdrPartialMinutes1732406401900 } from './1732406401900-cdr-partial-minutes';
import { CallBucketDeltasFunction1732406402000 } from './1732406402000-call-bucket-deltas-function';
import { CallBucketDeltasGenericPlan1732406402100 } from './1732406402100-call-bucket-deltas-generic-plan';
import { CallBucketDeltaSums1732406402200 } from './1732406402200-call-bucket-delta-sums';
import { CallBucketSums1732406402300 } from './1732406402300-call-bucket-sums';
import { AlertWindowPasses1732406402400 } from './1732406402400-alert-window-passes';
import { CallBucketBounds1732406402500 } from './1732406402500-call-bucket-bounds';
import { CallBoundsFillfactor1732406402600 } from './1732406402600-call-bounds-fillfactor';
import { AlertTriggeredDefs1732406402700 } from './1732406402700-alert-triggered-defs';
import { CallBucketSumsPageCost1732406402800 } from './1732406402800-call-bucket-sums-page-cost';

export const MIGRATIONS = [
  Foundation1732406400000,
  Cdrs1732406400200,
  Alerts1732406400300,
  Notifications1732406400400,
  CallBucketFillfactor1732406400500,
  CallBucketDeltas1732406400600,
  CustomerBalanceHot1732406400700,
  AlertValueRange1732406400810,
  BalanceIdempotencyKeys1732406400850,
  NotificationDrafts1732406401100,
  Settings1732406401210,
  AddressOwners1732406401230,
  Ledger1732406401240,
  TemplateMessages1732406401250,
  Reminders1732406401260,
  Incidents1732406401300,
  ListIndexes1732406401400,
  CdrPartitions1732406401500,
  CallBucketPartitions1732406401510,
  AlertEventOrder1732406401600,
  AlertRuleScope1732406401610,
  CdrCallIdPerDay1732406401620,
  AlertEventPartitions1732406401700,
  JobRuns1732406401800,
  CdrPartialMinutes1732406401900,
  CallBucketDeltasFunction1732406402000,
  CallBucketDeltasGenericPlan1732406402100,
  CallBucketDeltaSums1732406402200,
  CallBucketSums1732406402300,
  AlertWindowPasses1732406402400,
  CallBucketBounds1732406402500,
  CallBoundsFillfactor1732406402600,
  AlertTriggeredDefs1732406402700,
  CallBucketSumsPageCost1732406402800,
];

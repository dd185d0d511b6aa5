/**
 * The service graph, built once and explicitly: every service gets what it uses by
 * constructor, in dependency order, and every in-transaction reaction is a method of
 * Reactions (reactions.ts) handed to the lower module whose change it follows.
 * Nothing else reaches services: resolvers get theirs from resolvers.ts.
 */
import type { Clock } from '../platform/clock';
import type { Config } from '../platform/config';
import type { Database } from '../platform/db/database';
import type { PeriodicJob } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import type { EventBus } from '../platform/pubsub/event-bus';
import { AlertDefinitionService } from '../modules/alert/alert-definition.service';
import type { AlertEventsReaction } from '../modules/alert/alert-event';
import { AlertEngine } from '../modules/alert/alert-engine';
import { AlertEventService } from '../modules/alert/alert-event.service';
import { AlertEventWriter } from '../modules/alert/alert-event-writer';
import { AlertIncidentService } from '../modules/alert/alert-incident.service';
import { AlertRuleChanges } from '../modules/alert/alert-rule-changes';
import { alertJobs } from '../modules/alert/alert-jobs';
import { AlertLoader } from '../modules/alert/alert.loader';
import { ApiKeyService } from '../modules/api-key/api-key.service';
import { BalanceLedger } from '../modules/balance/balance-ledger';
import { LedgerService } from '../modules/balance/ledger.service';
import { CallStatsLoader } from '../modules/cdr/call-stats.loader';
import { CdrPartitions } from '../modules/cdr/cdr-partitions';
import { AlertEventPartitions } from '../modules/alert/alert-event-partitions';
import { CdrSubmission } from '../modules/cdr/cdr-submission';
import { CdrService } from '../modules/cdr/cdr.service';
import { ClassCustomersLoader } from '../modules/customer/class-customers.loader';
import { CustomerBalanceService } from '../modules/customer/customer-balance.service';
import { CustomerEventsService } from '../modules/customer/customer-events.service';
import { CustomerQueryService } from '../modules/customer/customer-query.service';
import { CustomerLoader } from '../modules/customer/customer.loader';
import { CustomerService } from '../modules/customer/customer.service';
import type { CustomerRulesChangedReaction } from '../modules/customer/customer-rules-change';
import { CustomerStatusChanges } from '../modules/customer/customer-status';
import { CustomerClassLoader } from '../modules/customer-class/customer-class.loader';
import { CustomerClassService } from '../modules/customer-class/customer-class.service';
import { HostQueryService } from '../modules/host/host-query.service';
import { HostLoader } from '../modules/host/host.loader';
import { HostService } from '../modules/host/host.service';
import { NotificationDelivery } from '../modules/notification/notification-delivery';
import { NotificationDispatcher } from '../modules/notification/notification-dispatcher';
import { NotificationService } from '../modules/notification/notification.service';
import { NotificationTemplateLoader } from '../modules/notification-template/notification-template.loader';
import { NotificationTemplateService } from '../modules/notification-template/notification-template.service';
import { ReminderService } from '../modules/reminder/reminder.service';
import { lowBalanceReminderJob } from '../modules/reminder/reminder-job';
import { SettingsService } from '../modules/settings/settings.service';
import type { TrunkChangedReaction } from '../modules/trunk/trunk-change';
import { TrunkLoader } from '../modules/trunk/trunk.loader';
import { TrunkService } from '../modules/trunk/trunk.service';
import { Reactions } from './reactions';

/** What the process opened before the services (see app.ts). */
export interface Platform {
  config: Config;
  logger: Logger;
  db: Database;
  /** The background jobs' pool (Database.jobsPool): the periodic jobs and the outbox run on it. */
  jobsDb: Database;
  events: EventBus;
  /** The clock of scheduled work (reminders). */
  clock: Clock;
}

export function createServices({ config, logger, db, jobsDb, events, clock }: Platform) {
  // The top of the graph first: the reactions call alerts and notifications.
  const notifications = new NotificationService(db, events, config);
  // Every status change (operator, penalty, its end, reminders) is reported through this one
  // object; the alert writer's penalties too, so its reaction reads `reactions` (below) at call time.
  const customerStatus = new CustomerStatusChanges(events, (uow, changes): Promise<void> => reactions.customerStatusChanged(uow, changes));
  const alertWriter = new AlertEventWriter(db, events, customerStatus, logger);
  const alertEngine = new AlertEngine(alertWriter);
  const alertRuleChanges = new AlertRuleChanges(alertEngine);
  const reminders = new ReminderService(customerStatus);
  // Services call the reactions through this object at call time, so a test can observe one.
  const reactions = new Reactions(alertEngine, alertRuleChanges, notifications, reminders);

  const templates = new NotificationTemplateLoader(db);
  const balanceLedger = new BalanceLedger(db, events, (uow, changes) => reactions.balanceChanged(uow, changes), logger);
  const classes = new CustomerClassLoader(db);
  const customers = new CustomerLoader(db);
  const customerRulesChanged: CustomerRulesChangedReaction = (uow, ids) => reactions.customerRulesChanged(uow, ids);
  const customerQueries = new CustomerQueryService(db, customers);
  const apiKeys = new ApiKeyService(db, events, logger, config.apiKeyCacheMs);
  const trunks = new TrunkLoader(db);
  const trunkChanged: TrunkChangedReaction = (uow, changes) => reactions.trunkChanged(uow, changes);
  const hosts = new HostLoader(db);
  const alerts = new AlertLoader(db);
  const alertEvents = new AlertEventService(db, events, logger);
  const alertEventsWritten: AlertEventsReaction = (uow, written) => reactions.alertEventsWritten(uow, written);
  const cdrPartitions = new CdrPartitions(db, config, logger);
  const alertEventPartitions = new AlertEventPartitions(db, config, logger);
  const cdrs = new CdrService(
    db,
    new CdrSubmission(db, balanceLedger, (uow, batch) => reactions.cdrBatchCharged(uow, batch), config.maxCdrBatch, cdrPartitions),
    cdrPartitions,
  );
  const notificationDispatcher = new NotificationDispatcher(config, jobsDb, events, new NotificationDelivery(config), logger);

  // Partition maintenance stays on the requests' pool: a batch creates a missing day on
  // its own path too (CdrPartitions.ensureFor), and the job's pass is once a minute.
  const jobs: PeriodicJob[] = [
    ...alertJobs(jobsDb, alertEngine, alertWriter, alertEventsWritten, customerStatus, { everyMs: config.callBucketCompactionMs, whileRulesMs: config.callBucketCompactionRulesMs }, { chunk: config.alertWindowChunk, everyMs: config.alertWindowIntervalMs }),
    lowBalanceReminderJob(jobsDb, clock, customerStatus, notifications),
    notificationDispatcher,
    cdrPartitions.job(),
    alertEventPartitions.job(),
  ];

  return {
    config,
    logger,
    db,
    events,
    reactions,
    balanceLedger,
    ledger: new LedgerService(db, events, logger),
    apiKeys,
    loaders: {
      templates,
      classes,
      customers,
      trunks,
      hosts,
      alerts,
      classCustomers: new ClassCustomersLoader(db, customers, classes),
      callStats: new CallStatsLoader(db, clock),
    },
    notificationTemplates: new NotificationTemplateService(db, config),
    customerClasses: new CustomerClassService(db),
    settings: new SettingsService(db, config),
    customers: new CustomerService(db, balanceLedger, customerStatus, customerRulesChanged),
    /** The one way to change customers' statuses in a transaction (reports each change: feed, status webhooks). */
    customerStatus,
    customerQueries,
    customerBalances: new CustomerBalanceService(db, balanceLedger),
    customerEvents: new CustomerEventsService(events, customers),
    trunks: new TrunkService(db, trunks, trunkChanged),
    hosts: new HostService(db, trunkChanged),
    hostQueries: new HostQueryService(db, hosts),
    cdrs,
    /** The days of cdrs: created ahead, dropped past retention (the cdr-partitions job). */
    cdrPartitions,
    /** The weeks of alert events: created ahead, dropped past ALERT_EVENT_RETENTION_DAYS (the alert-event-partitions job). */
    alertEventPartitions,
    alertDefinitions: new AlertDefinitionService(db, alertWriter, alertRuleChanges, config, alertEventsWritten),
    alertEvents,
    alertIncidents: new AlertIncidentService(db, alertWriter, customerStatus),
    notifications,
    notificationDispatcher,
    /** Periodic background jobs (schedulers, outbox), run by platform/jobs.ts. */
    jobs,
  };
}

export type Services = ReturnType<typeof createServices>;

import type { AppModule } from '../../app/app-module';
import { emitted } from '../domain-hooks';
import { AlertDefinitionResolver, AlertTestResultResolver } from './alert-definition.resolver';
import { AlertDefinitionService } from './alert-definition.service';
import { AlertEngine } from './alert-engine';
import { AlertEventResolver, AlertStateResolver, CdrBatchAlertEventsResolver, CustomerAlertStatesResolver } from './alert-event.resolver';
import { AlertEventService } from './alert-event.service';
import { AlertEventWriter } from './alert-event-writer';
import { alertJobs } from './alert-jobs';
import { addToCallBucketsSql } from './call-buckets';
import { loadDefinition } from './alert.loader';

declare module '../../app/services' {
  interface Services {
    alertDefinitions: AlertDefinitionService;
    alertEvents: AlertEventService;
    alertEngine: AlertEngine;
  }
}

export const alertModule: AppModule = {
  name: 'alert',
  resolvers: [AlertDefinitionResolver, AlertTestResultResolver, AlertEventResolver, AlertStateResolver, CustomerAlertStatesResolver, CdrBatchAlertEventsResolver],
  register(services) {
    const writer = new AlertEventWriter(services.hooks, services.events);
    const engine = new AlertEngine(writer);
    services.alertEngine = engine;
    services.alertDefinitions = new AlertDefinitionService(services.db, writer, services.config);
    services.alertEvents = new AlertEventService(services.db, services.events);
    // Rules are NOC/ADMIN data; a CUSTOMER key reaches a rule only through its own events and states.
    services.nodes.AlertDefinition = (ctx, localId) => (ctx.customerScope === undefined ? loadDefinition(ctx, localId) : Promise.resolve(null));
    services.nodes.AlertEvent = async (ctx, localId) => (await services.alertEvents.byIds(ctx, [localId]))[0];
    // In the transaction of the change. A CDR batch's balance changes come first and
    // its calls (cdrsCharged) right after, with its customers locked: its balance
    // rules are evaluated with its call rules, in one statement.
    services.hooks.withCdrInsert(addToCallBucketsSql);
    services.hooks.on('cdrsCharged', async (uow, cdrs) => {
      const charged = emitted(uow, 'balanceChanged').filter((c) => c.reason === 'CDR_CHARGES');
      await engine.onCdrsCharged(uow, cdrs, charged.map((c) => c.customerId));
    });
    services.hooks.on('balanceChanged', async (uow, changes) => {
      const others = changes.filter((c) => c.reason !== 'CDR_CHARGES');
      if (others.length) await engine.onBalanceChanged(uow, others.map((c) => c.customerId));
    });
    services.jobs.push(...alertJobs(services.db, services.events, engine, writer));
  },
};

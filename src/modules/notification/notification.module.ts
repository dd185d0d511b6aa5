import type { AppModule } from '../../app/app-module';
import { NotificationDelivery } from './notification-delivery';
import { NotificationDispatcher } from './notification-dispatcher';
import { onAlertEventsCreated, onBalanceChanged, onTrunkChanged } from './notification-reactions';
import { NotificationResolver } from './notification.resolver';
import { NotificationService } from './notification.service';

declare module '../../app/services' {
  interface Services {
    notifications: NotificationService;
    notificationDispatcher: NotificationDispatcher;
  }
}

export const notificationModule: AppModule = {
  name: 'notification',
  resolvers: [NotificationResolver],
  register(services) {
    const notifications = new NotificationService(services.db, services.events, services.config);
    services.notifications = notifications;
    services.nodes.Notification = (ctx, localId) => notifications.findById(ctx, localId);
    services.hooks.on('balanceChanged', async (uow, changes) => void (await notifications.enqueue(uow, await onBalanceChanged(uow, changes))));
    services.hooks.on('trunkChanged', async (uow, changes) => void (await notifications.enqueue(uow, await onTrunkChanged(uow, changes))));
    services.hooks.on('alertEventsCreated', async (uow, events) => void (await notifications.enqueue(uow, await onAlertEventsCreated(uow, events))));
    const dispatcher = new NotificationDispatcher(services.config, services.db, services.events, new NotificationDelivery(services.config), services.logger);
    services.notificationDispatcher = dispatcher;
    services.jobs.push(dispatcher);
  },
};

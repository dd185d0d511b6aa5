/**
 * Every feature module, in dependency order: a module's hooks run after those of the
 * modules above it (alerts evaluate a balance change before notifications react).
 */
import type { AppModule } from './app-module';
import { alertModule } from './alert/alert.module';
import { apiKeyModule } from './api-key/api-key.module';
import { balanceModule } from './balance/balance.module';
import { cdrModule } from './cdr/cdr.module';
import { customerClassModule } from './customer-class/customer-class.module';
import { customerModule } from './customer/customer.module';
import { hostModule } from './host/host.module';
import { nodeModule } from './node/node.module';
import { notificationTemplateModule } from './notification-template/notification-template.module';
import { notificationModule } from './notification/notification.module';
import { trunkModule } from './trunk/trunk.module';

export const MODULES: AppModule[] = [
  nodeModule,
  apiKeyModule,
  notificationTemplateModule,
  customerClassModule,
  customerModule,
  balanceModule,
  trunkModule,
  hostModule,
  cdrModule,
  alertModule,
  notificationModule,
];

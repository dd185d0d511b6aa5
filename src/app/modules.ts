/**
 * Every feature module, in dependency order: a module's hooks run after those of the
 * modules above it (alerts evaluate a balance change before notifications react).
 */
import type { AppModule } from './app-module';
import { alertModule } from '../modules/alert/alert.module';
import { apiKeyModule } from '../modules/api-key/api-key.module';
import { balanceModule } from '../modules/balance/balance.module';
import { cdrModule } from '../modules/cdr/cdr.module';
import { customerClassModule } from '../modules/customer-class/customer-class.module';
import { customerModule } from '../modules/customer/customer.module';
import { hostModule } from '../modules/host/host.module';
import { nodeModule } from '../modules/node/node.module';
import { notificationTemplateModule } from '../modules/notification-template/notification-template.module';
import { notificationModule } from '../modules/notification/notification.module';
import { trunkModule } from '../modules/trunk/trunk.module';

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

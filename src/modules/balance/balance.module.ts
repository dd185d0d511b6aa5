import type { AppModule } from '../../app/app-module';
import { BalanceChangeResolver } from './balance-change.resolver';

export const balanceModule: AppModule = {
  name: 'balance',
  resolvers: [BalanceChangeResolver],
};

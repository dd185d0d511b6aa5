import { defineTopic } from '../../platform/pubsub/topic';

export interface BalanceChangedPayload {
  ledgerId: string;
  customerId: string;
  previousBalance: string;
  balance: string;
  delta: string;
  reason: 'CDR_CHARGES' | 'PAYMENT' | 'ADJUSTMENT' | 'RESET';
  occurredAt: string;
}

/** A ledger row was committed (payments, adjustments, resets, CDR charges). */
export const BALANCE_CHANGED = defineTopic<BalanceChangedPayload>('BALANCE_CHANGED');

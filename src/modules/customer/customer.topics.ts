import { defineTopic } from '../../platform/pubsub/topic';

export interface CustomerStatusChangedPayload {
  customerId: string;
  status: 'ACTIVE' | 'INACTIVE' | 'SUSPENDED';
}

/** A customer's status was committed (by an admin, an alert penalty or its end). */
export const CUSTOMER_STATUS_CHANGED = defineTopic<CustomerStatusChangedPayload>('CUSTOMER_STATUS_CHANGED');

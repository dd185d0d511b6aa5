/** A change of a trunk or of its hosts, and the reaction to it in the same transaction (wired in src/app/reactions.ts). */
import type { UnitOfWork } from '../../platform/db/unit-of-work';

export interface TrunkChange {
  customerId: string;
  trunkId: string;
  change: 'CREATED' | 'UPDATED' | 'DELETED' | 'HOSTS_CHANGED';
}

/** Runs after trunks or their hosts changed (notifications send TRUNK_UPDATED from it). */
export type TrunkChangedReaction = (uow: UnitOfWork, changes: TrunkChange[]) => Promise<void>;

/**
 * Idempotency keys of balance mutations (recordPayment, adjustBalance), scoped per
 * customer. The key row is written in the mutation's own transaction; a retry with the
 * same key and the same arguments gets the first BalanceChange back and changes nothing,
 * the same key with other arguments is a CONFLICT.
 */
import { createHash } from 'node:crypto';
import { normaliseDecimal } from '../../platform/common/decimal';
import { badInput, conflict } from '../../platform/common/errors';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { lockCustomers } from './customer-locks';
import type { BalanceChangedPayload } from './balance.topics';

/** Longest key accepted (a UUID is 36; room for "<system>:<invoice>:<attempt>" schemes). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The primary key: a second insert of one (customer, key) fails with it. */
export const IDEMPOTENCY_KEY_CONSTRAINT = 'balance_idempotency_keys_pkey';

export interface IdempotencyClaim {
  key: string;
  /** The operation and its normalised arguments, hashed. */
  fingerprint: string;
}

/** Validates a client's key and fingerprints the request it came with; undefined without a key. */
export function idempotencyClaim(
  key: string | null | undefined,
  operation: string,
  amount: string,
  text: string | null | undefined,
): IdempotencyClaim | undefined {
  if (key === undefined || key === null) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badInput(`idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, 'idempotencyKey');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw badInput('idempotencyKey must not contain control characters', 'idempotencyKey');
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([operation, normaliseDecimal(amount), text ?? null]))
    .digest('hex');
  return { key, fingerprint };
}

/**
 * The change a key already made for this customer, or undefined when the key is new.
 * Locks the customer first, so a concurrent request with the same key waits here until
 * the first commits and then finds its key (the primary key still refuses a second row
 * should anything get past the lock). Throws CONFLICT when the key came with other arguments.
 */
export async function replayOf(uow: UnitOfWork, customerId: string, claim: IdempotencyClaim): Promise<BalanceChangedPayload | undefined> {
  await lockCustomers(uow, [customerId]);
  const [row] = await uow.query<{
    fingerprint: string;
    ledger_id: string;
    previous_balance: string;
    balance: string;
    delta: string;
    reason: BalanceChangedPayload['reason'];
    occurred_at: Date;
  }>(
    `SELECT k.fingerprint, l.id AS ledger_id, l.previous_balance, l.balance, l.delta, l.reason, l.occurred_at
       FROM balance_idempotency_keys k JOIN balance_ledger l ON l.id = k.ledger_id
      WHERE k.customer_id = $1 AND k.key = $2`,
    [customerId, claim.key],
  );
  if (!row) return undefined;
  if (row.fingerprint !== claim.fingerprint) {
    throw conflict('idempotencyKey was already used for this customer with other arguments', { field: 'idempotencyKey' });
  }
  return {
    ledgerId: String(row.ledger_id),
    customerId,
    previousBalance: normaliseDecimal(row.previous_balance),
    balance: normaliseDecimal(row.balance),
    delta: normaliseDecimal(row.delta),
    reason: row.reason,
    occurredAt: row.occurred_at.toISOString(),
  };
}

/** Records the key with the ledger entry it produced, in the same transaction. */
export async function rememberKey(uow: UnitOfWork, customerId: string, claim: IdempotencyClaim, ledgerId: string): Promise<void> {
  await uow.query(`INSERT INTO balance_idempotency_keys (customer_id, key, fingerprint, ledger_id) VALUES ($1, $2, $3, $4)`, [
    customerId,
    claim.key,
    claim.fingerprint,
    ledgerId,
  ]);
}

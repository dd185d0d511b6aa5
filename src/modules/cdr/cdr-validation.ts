/**
 * Row checks for submitCdrs that need no database: plain loops and comparisons, no
 * class-validator (which costs seconds on thousands of objects). GraphQL has already
 * coerced the types (Int, DateTime, Decimal, enum); a malformed scalar anywhere
 * refuses the whole request at coercion, before any row is looked at.
 */
import { parseDecimal } from '../../platform/common/decimal';
import { tryFromGlobalId } from '../../platform/common/global-id';
import { sourceAddress } from '../host/ip-address';
import type { CdrInput } from './cdr.inputs';
import type { CallDisposition } from './cdr.enums';
import type { CdrRejection, CdrRejectionCode } from './cdr.type';

/** Two days: longer "calls" are stuck switch sessions, not billable calls. */
export const MAX_DURATION_SECONDS = 2 * 86_400;
/** Switch clocks drift; a record a little ahead of ours is accepted. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** A start before this is an unset switch clock (epoch 0 and friends). */
export const EARLIEST_START_MS = Date.UTC(2000, 0, 1);
export const MAX_CALL_ID_LENGTH = 128;
export const MAX_NUMBER_LENGTH = 64;
export const MAX_TRUNK_NAME_LENGTH = 128;

/** How a record names its customer, before the database resolves it. */
export type CustomerRef = { kind: 'id'; value: string } | { kind: 'trunk'; value: string } | { kind: 'ip'; value: string };

/** A record that passed every check, in the shapes the SQL wants. */
export interface ValidCdr {
  index: number;
  callId: string;
  ref: CustomerRef;
  caller: string | null;
  callee: string;
  /** Epoch milliseconds (what a JS Date holds): sent to Postgres as an integer, no ISO text per row. */
  startedAtMs: number;
  duration: number;
  disposition: CallDisposition;
  /** Canonical decimal string. */
  charge: string;
}

export function rejection(index: number, callId: string | null, code: CdrRejectionCode, field: string | null, reason: string): CdrRejection {
  return { index, callId, code, field, reason };
}

/**
 * Splits a batch into valid records and rejections (INVALID, DUPLICATE_IN_BATCH, and
 * BEYOND_RETENTION for a start before keptSinceMs: its day may be dropped already, so
 * its callId can no longer be checked and it could be charged twice).
 */
export function validateCdrs(inputs: readonly CdrInput[], now: number, keptSinceMs?: number): { valid: ValidCdr[]; rejected: CdrRejection[] } {
  const valid: ValidCdr[] = [];
  const rejected: CdrRejection[] = [];
  const seen = new Set<string>();
  // A batch names a few hundred customers at most: each id is decoded once.
  const refsById = new Map<string, CustomerRef>();
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const callId = typeof input.callId === 'string' ? input.callId : null;
    const result = checkRow(input, i, now, refsById, keptSinceMs);
    if (callId !== null && callId !== '') {
      if (seen.has(callId)) {
        rejected.push(rejection(i, callId, 'DUPLICATE_IN_BATCH', 'callId', 'callId appears earlier in this batch'));
        continue;
      }
      seen.add(callId);
    }
    if ('problem' in result) rejected.push(rejection(i, callId, result.code ?? 'INVALID', result.field, result.problem));
    else valid.push(result);
  }
  return { valid, rejected };
}

type Problem = { field: string; problem: string; code?: CdrRejectionCode };

/** trim() copies the string; only a value that starts with a character trim() removes (ASCII controls and space, or U+00A0 and above) can be blank. */
function mayBeWhitespace(code: number): boolean {
  return code <= 32 || code >= 0xa0;
}

function text(value: unknown, field: string, max: number, required: boolean): Problem | undefined {
  if (value === null || value === undefined) return required ? { field, problem: `${field} is required` } : undefined;
  if (typeof value !== 'string') return { field, problem: `${field} must be a string` };
  if (required && (value.length === 0 || (mayBeWhitespace(value.charCodeAt(0)) && value.trim() === ''))) return { field, problem: `${field} must not be empty` };
  if (value.length > max) return { field, problem: `${field} must be at most ${max} characters` };
  // Postgres text cannot hold NUL; one such row must not fail the whole batch.
  if (value.includes('\u0000')) return { field, problem: `${field} must not contain NUL characters` };
  return undefined;
}

function customerRef(input: CdrInput, refsById: Map<string, CustomerRef>): CustomerRef | Problem {
  // Counted, not collected: this runs once per record of batches of thousands.
  let given = 0;
  let second: 'trunk' | 'sourceIp' | undefined;
  let ref: CustomerRef | undefined;
  if (input.customerId !== null && input.customerId !== undefined) {
    given++;
    ref = refsById.get(input.customerId);
    if (ref === undefined) {
      // A malformed id names no customer that could exist; it is reported as unknown after the batch is resolved.
      ref = { kind: 'id', value: tryFromGlobalId('Customer', input.customerId) ?? '' };
      refsById.set(input.customerId, ref);
    }
  }
  if (input.trunk !== null && input.trunk !== undefined) {
    if (++given === 2) second = 'trunk';
    const bad = text(input.trunk, 'trunk', MAX_TRUNK_NAME_LENGTH, true);
    if (bad) return bad;
    ref = { kind: 'trunk', value: input.trunk };
  }
  if (input.sourceIp !== null && input.sourceIp !== undefined) {
    if (++given === 2) second = 'sourceIp';
    // Matched as hosts store it: an IPv4-mapped IPv6 address is its IPv4 address.
    const ip = sourceAddress(input.sourceIp.trim());
    if (ip === undefined) return { field: 'sourceIp', problem: `sourceIp "${input.sourceIp.slice(0, 64)}" is not an IPv4 or IPv6 address` };
    ref = { kind: 'ip', value: ip };
  }
  if (given === 0) return { field: 'customerId', problem: 'exactly one of customerId, trunk or sourceIp is required' };
  if (given > 1) return { field: second!, problem: 'give exactly one of customerId, trunk or sourceIp' };
  return ref!;
}

function checkRow(input: CdrInput, index: number, now: number, refsById: Map<string, CustomerRef>, keptSinceMs: number | undefined): ValidCdr | Problem {
  const bad =
    text(input.callId, 'callId', MAX_CALL_ID_LENGTH, true) ??
    text(input.callee, 'callee', MAX_NUMBER_LENGTH, true) ??
    text(input.caller, 'caller', MAX_NUMBER_LENGTH, false);
  if (bad) return bad;
  const ref = customerRef(input, refsById);
  if ('problem' in ref) return ref;
  const duration = input.duration;
  if (!Number.isInteger(duration) || duration < 0 || duration > MAX_DURATION_SECONDS) {
    return { field: 'duration', problem: `duration must be whole seconds from 0 to ${MAX_DURATION_SECONDS}` };
  }
  const startedAtMs = input.startedAt instanceof Date ? input.startedAt.getTime() : NaN;
  if (!Number.isFinite(startedAtMs)) return { field: 'startedAt', problem: 'startedAt must be a date-time' };
  if (startedAtMs > now + CLOCK_SKEW_MS) return { field: 'startedAt', problem: 'startedAt is in the future' };
  if (startedAtMs < EARLIEST_START_MS) return { field: 'startedAt', problem: 'startedAt is before 2000-01-01 (switch clock unset?)' };
  if (keptSinceMs !== undefined && startedAtMs < keptSinceMs) {
    return { field: 'startedAt', code: 'BEYOND_RETENTION', problem: `startedAt is before ${new Date(keptSinceMs).toISOString()}, older than the records kept (CDR_RETENTION_DAYS): its callId can no longer be checked for duplicates` };
  }
  const charge = parseDecimal(input.charge);
  if (!charge.ok) return { field: 'charge', problem: `charge ${charge.reason}` };
  if (charge.value.startsWith('-')) return { field: 'charge', problem: 'charge must not be negative' };
  return {
    index,
    callId: input.callId,
    ref,
    caller: input.caller ?? null,
    callee: input.callee,
    startedAtMs,
    duration,
    disposition: input.disposition,
    charge: charge.value,
  };
}

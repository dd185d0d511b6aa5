/** Small input checks shared by the account and inventory modules; each throws BAD_USER_INPUT naming the field. */
import { dec } from './decimal';
import { badInput } from './errors';

export const MAX_NAME_LENGTH = 200;

/** A trimmed, non-empty name of at most MAX_NAME_LENGTH characters. */
export function requiredName(value: string, field = 'name'): string {
  const v = value.trim();
  if (!v || v.length > MAX_NAME_LENGTH) throw badInput(`${field} must be 1 to ${MAX_NAME_LENGTH} characters`, field);
  return v;
}

/** Optional text: trimmed, empty becomes null. */
export function optionalText(value: string | null | undefined, field: string, max = 1000): string | null | undefined {
  if (value === undefined || value === null) return value;
  const v = value.trim();
  if (v.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  return v || null;
}

export function nonNegativeInt(value: number | null | undefined, field: string): void {
  if (value !== undefined && value !== null && value < 0) throw badInput(`${field} must not be negative`, field);
}

export function nonNegativeDecimal(value: string | null | undefined, field: string): void {
  if (value !== undefined && value !== null && dec(value).isNegative() && !dec(value).isZero()) throw badInput(`${field} must not be negative`, field);
}

const EMAIL_RE = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

/** An e-mail address (or several separated by commas), trimmed; empty becomes null. */
export function optionalEmail(value: string | null | undefined, field: string): string | null | undefined {
  const v = optionalText(value, field, 320 * 10);
  if (!v) return v;
  const parts = v.split(',').map((p) => p.trim());
  if (parts.some((p) => !EMAIL_RE.test(p) || p.length > 320)) throw badInput(`${field} is not a valid e-mail address`, field);
  return parts.join(', ');
}

/** E.164: "+", a non-zero country digit, at most 15 digits in all (e.g. +14155550100). */
export const E164_RE = /^\+[1-9]\d{1,14}$/;

/** An E.164 phone number, trimmed; empty becomes null. */
export function optionalPhone(value: string | null | undefined, field: string): string | null | undefined {
  const v = optionalText(value, field, 100);
  if (!v) return v;
  if (!E164_RE.test(v)) throw badInput(`${field} is not an E.164 phone number (e.g. +14155550100)`, field);
  return v;
}

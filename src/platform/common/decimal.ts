/**
 * Exact decimal money. Values travel as canonical strings ("12.5", "-0.000001")
 * between GraphQL, services and Postgres NUMERIC; arithmetic in process uses
 * decimal.js, never JS numbers.
 */
import Decimal from 'decimal.js';

/** Integer and fraction digits the NUMERIC(28,10) columns hold. */
export const MAX_INTEGER_DIGITS = 18;
export const MAX_FRACTION_DIGITS = 10;

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

export type DecimalParse = { ok: true; value: string } | { ok: false; reason: string };

/** Parses a plain decimal string ("-12.50"); refuses exponents, NaN, Infinity and out-of-range values. */
export function parseDecimal(input: unknown): DecimalParse {
  // Switches send canonical amounts ("0.0125") almost always: those are taken as they
  // are, without the regex and the rebuilt string (this runs twice per CDR).
  if (typeof input === 'string' && isCanonicalDecimal(input)) return { ok: true, value: input };
  return parseDecimalSyntax(input);
}

/** parseDecimal without the canonical fast path (exported for the test that checks one against the other). */
export function parseDecimalSyntax(input: unknown): DecimalParse {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return { ok: false, reason: 'send fractional amounts as strings, e.g. "0.25"' };
    input = String(input);
  }
  if (typeof input !== 'string') return { ok: false, reason: 'must be a decimal string, e.g. "12.50"' };
  const m = DECIMAL_RE.exec(input.trim());
  if (!m) return { ok: false, reason: `"${input.slice(0, 40)}" is not a decimal number (digits with an optional sign and point)` };
  const int = m[2].replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (int.length > MAX_INTEGER_DIGITS) return { ok: false, reason: `at most ${MAX_INTEGER_DIGITS} integer digits` };
  if (frac.length > MAX_FRACTION_DIGITS) return { ok: false, reason: `at most ${MAX_FRACTION_DIGITS} fractional digits` };
  const negative = m[1] === '-' && (int !== '0' || frac !== '');
  return { ok: true, value: `${negative ? '-' : ''}${int}${frac ? '.' + frac : ''}` };
}

/**
 * True when s is exactly what parseDecimal would return for it: an optional "-",
 * integer digits without leading zeros, and, after a point, fraction digits without
 * trailing zeros, both within the column's digits; never "-0".
 */
export function isCanonicalDecimal(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > MAX_INTEGER_DIGITS) return false;
  if (intDigits > 1 && s.charCodeAt(intStart) === 48) return false; // leading zero
  if (i === n) return !(intStart === 1 && intDigits === 1 && s.charCodeAt(1) === 48); // "-0"
  if (s.charCodeAt(i) !== 46) return false; // '.'
  const fracStart = ++i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const fracDigits = i - fracStart;
  return i === n && fracDigits > 0 && fracDigits <= MAX_FRACTION_DIGITS && s.charCodeAt(n - 1) !== 48; // no trailing zero
}

function withoutTrailingFractionZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--; // '0'
  if (s.charCodeAt(end - 1) === 46) end--; // '.'
  return end === s.length ? s : s.slice(0, end);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Canonical form of a NUMERIC value read from Postgres ("100.0000000000" -> "100"). */
export function normaliseDecimal(value: string | number | Decimal): string {
  if (typeof value === 'number') throw new TypeError('money must not be a JS number');
  if (typeof value === 'string') {
    // NUMERIC(28,10) text: the fraction padded with zeros ("12.5000000000"), trimmed here.
    const trimmed = withoutTrailingFractionZeros(value);
    if (isCanonicalDecimal(trimmed)) return trimmed;
  }
  const s = typeof value === 'string' ? value : value.toFixed();
  const parsed = parseDecimal(s);
  if (parsed.ok) return parsed.value;
  return new Decimal(s).toFixed();
}

export function dec(value: string): Decimal {
  return new Decimal(value);
}

export { Decimal };

/** -value, canonical, for any decimal string Postgres or parseDecimal produced ("12.50" -> "-12.5", "0" -> "0"). */
export function negateDecimal(value: string): string {
  return normaliseDecimal(value.startsWith('-') ? value.slice(1) : `-${value}`);
}

/**
 * Text Postgres cannot store as given. A NUL makes the statement fail (text cannot
 * hold U+0000), and an unpaired UTF-16 surrogate has no UTF-8 form: node-postgres
 * silently writes U+FFFD instead, so the stored value differs from the one sent.
 */

/** Matches a NUL or a lone (unpaired) surrogate; no `u` flag, so the string is read as UTF-16 code units. */
// eslint-disable-next-line no-control-regex -- matching NUL is this pattern's purpose
const UNSAFE_TEXT_RE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UNSAFE_TEXT_GLOBAL_RE = new RegExp(UNSAFE_TEXT_RE.source, 'g');

/**
 * Whether s holds a NUL or a lone surrogate (what UNSAFE_TEXT_RE matches), by the engine's
 * own well-formedness check: half the time of the regex over a 5,000-record batch's
 * 40,000 strings, every one of which is checked.
 */
export function isUnsafeText(s: string): boolean {
  return !s.isWellFormed() || s.includes('\0');
}

/** Text from outside any request (a receiver's answer, an SMTP reply) made storable: each unsafe code unit becomes U+FFFD. */
export function storableText(s: string): string {
  return isUnsafeText(s) ? s.replace(UNSAFE_TEXT_GLOBAL_RE, '\uFFFD') : s;
}

/** IANA time zone names, checked with Intl (the zones the message renderer can format in). */
import { badInput } from './errors';

/**
 * A zone name: a letter first, then letters, digits, `_`, `+`, `-`, in `/`-separated
 * parts ("Europe/Berlin", "UTC", "Etc/GMT+1"). Offsets ("+01:00"), which newer Intl
 * versions also accept, are refused: an offset has no daylight saving time and is not
 * a zone PostgreSQL knows by that spelling.
 */
const ZONE_NAME_RE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Canonical spellings by lower case ("europe/berlin" is stored as "Europe/Berlin"). */
let canonical: Map<string, string> | undefined;

function spelling(zone: string): string {
  canonical ??= new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((z) => [z.toLowerCase(), z]));
  return canonical.get(zone.toLowerCase()) ?? zone;
}

/** The zone, trimmed and in its canonical spelling; BAD_USER_INPUT naming `field` when Intl does not know it. */
export function ianaTimeZone(value: string, field: string): string {
  const zone = value.trim();
  let known = ZONE_NAME_RE.test(zone) && zone.length <= 64;
  if (known) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      known = false;
    }
  }
  if (!known) throw badInput(`"${value.slice(0, 64)}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`, field);
  return spelling(zone);
}

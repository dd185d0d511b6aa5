/** Display helpers. Amounts stay strings (exact decimals); only their presentation changes here. */

/** "-1234.5" -> "-1,234.50": grouping and at least two decimals, without going through a float. */
export function money(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return value;
  const [, sign, int, frac = ''] = m;
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = frac.replace(/0+$/, '').padEnd(2, '0');
  return `${sign}${grouped}.${decimals}`;
}

/** A decimal as given, trailing zeros dropped: "12.5000" -> "12.5". */
export function num(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** Today's times as HH:MM:SS, older ones with their date. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

/** "1h 5m", "42s": what remains until `iso` (or "0s" when past). */
export function remaining(iso: string, now: number): string {
  return duration(Math.max(0, Math.round((Date.parse(iso) - now) / 1000)));
}

/** Seconds as "1d 2h", "1h 5m", "5m 10s", "42s" (rules' periods and penalties are in seconds). */
export function duration(seconds: number): string {
  let s = seconds;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`, !d && !h && `${s}s`].filter(Boolean).join(' ');
}

export function label(enumValue: string): string {
  return enumValue.charAt(0) + enumValue.slice(1).toLowerCase().replace(/_/g, ' ');
}

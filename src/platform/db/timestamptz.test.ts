import { types } from 'pg';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz';

const postgresDate = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (s: string) => Date | number | null;

/** The value as a comparable string (a Date's time, or the number itself). */
const show = (v: Date | number | null) => (v instanceof Date ? `Date(${v.getTime()})` : String(v));

describe('parseTimestamptz', () => {
  it('reads the usual shape exactly as node-postgres did, microseconds truncated to milliseconds', () => {
    const cases = [
      '2026-12-03 05:30:31+00',
      '2026-12-03 05:30:31.1+00',
      '2026-12-03 05:30:31.12+00',
      '2026-12-03 05:30:31.123+00',
      '2026-12-03 05:30:31.123456+00',
      '2026-12-03 05:30:31.999999+00',
      '2026-12-03 05:30:31.000001+00',
      '2026-02-28 23:59:59.999999-05',
      '2024-02-29 00:00:00+05:30',
      '1969-12-31 23:59:59.5+00',
      '1900-01-01 00:00:00+00:09:21',
      '1000-01-01 00:00:00-03:30',
      '9999-12-31 23:59:59.999999+14',
    ];
    for (const c of cases) expect([c, show(parseTimestamptz(c))]).toEqual([c, show(postgresDate(c))]);
    expect(parseTimestamptz('2026-12-03 05:30:31.123456+00')).toEqual(new Date('2026-12-03T05:30:31.123Z'));
    expect(parseTimestamptz('2026-12-03 05:30:31.5-05:30')).toEqual(new Date('2026-12-03T11:00:31.500Z'));
  });

  it('matches node-postgres on every millisecond digit and a sweep of microseconds', () => {
    for (let us = 0; us < 1_000_000; us += 997) {
      const c = `2026-06-15 12:00:00.${String(us).padStart(6, '0')}+02`;
      expect(show(parseTimestamptz(c))).toBe(show(postgresDate(c)));
    }
  });

  it('hands other shapes to node-postgres: infinity, BC, short and long years', () => {
    expect(parseTimestamptz('infinity')).toBe(Infinity);
    expect(parseTimestamptz('-infinity')).toBe(-Infinity);
    for (const c of ['2026-12-03 05:30:31+00 BC', '0050-01-01 00:00:00+00', '0999-03-04 01:02:03.5+01', '12026-12-03 05:30:31+00']) {
      expect([c, show(parseTimestamptz(c))]).toEqual([c, show(postgresDate(c))]);
    }
  });
});

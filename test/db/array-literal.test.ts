/**
 * The array literals of src/db/array-literal.ts as PostgreSQL reads them (the pure
 * shapes are unit-tested beside the code).
 */
import { Client } from 'pg';
import { DistinctValues, epochMsToTimestamptz, plainArrayLiteral, textArrayLiteral } from '../../src/platform/db/array-literal';
import { BASE_DATABASE_URL as url } from '../helpers/test-env';

describe('array literals in Postgres', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: url });
    await client.connect();
  });
  afterAll(() => client.end());

  it('round-trip every kind of text exactly, and plain values as typed', async () => {
    const texts = ['plain', '', 'NULL', 'null', ' spaced ', 'quote"d', 'back\\slash', '\\"', 'a,b', '{brace}', 'üñí©ødé ☎', 'tab\there', 'new\nline', null];
    const { rows } = await client.query<{ t: (string | null)[]; n: string[]; ts: Date[] }>(
      `SELECT $1::text[] AS t, $2::numeric[]::text[] AS n, $3::timestamptz[] AS ts`,
      [textArrayLiteral(texts), plainArrayLiteral(['0.000001', '12', null]), plainArrayLiteral(['2026-11-23T10:15:00.123Z'])],
    );
    expect(rows[0].t).toEqual(texts);
    expect(rows[0].n).toEqual(['0.000001', '12', null]);
    expect(rows[0].ts[0].toISOString()).toBe('2026-11-23T10:15:00.123Z');
  });

  it('carry a column as distinct values and positions, and an empty positions array as all NULL', async () => {
    const ids = new DistinctValues();
    const rows = ['u2', 'u1', 'u2'].map((v) => `00000000-0000-4000-8000-00000000000${v.slice(1)}`);
    const at = rows.map((r) => ids.position(r));
    const { rows: out } = await client.query<{ id: string | null; none: string | null }>(
      `SELECT ($2::uuid[])[u.at] AS id, ($3::uuid[])[u.none_at] AS none
         FROM unnest($1::int[], $4::int[]) WITH ORDINALITY AS u(at, none_at, i) ORDER BY i`,
      [plainArrayLiteral(at), plainArrayLiteral(ids.values), '{}', '{}'],
    );
    expect(out).toEqual(rows.map((id) => ({ id, none: null })));
  });

  it('turn epoch milliseconds into exactly that instant, to the millisecond', async () => {
    const instants = [Date.UTC(2000, 0, 1), Date.UTC(2026, 10, 23, 10, 15, 0, 123), Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2099, 5, 30, 12, 0, 0, 1), Date.UTC(2255, 0, 1, 0, 0, 0, 999), 1];
    const { rows } = await client.query<{ ts: Date; iso: string }>(
      `SELECT ${epochMsToTimestamptz('m')} AS ts, to_char(${epochMsToTimestamptz('m')} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS iso
         FROM unnest($1::int8[]) WITH ORDINALITY AS u(m, i) ORDER BY i`,
      [plainArrayLiteral(instants)],
    );
    expect(rows.map((r) => r.ts.getTime())).toEqual(instants);
    expect(rows.map((r) => r.iso)).toEqual(instants.map((ms) => new Date(ms).toISOString().replace('Z', '000')));
  });
});

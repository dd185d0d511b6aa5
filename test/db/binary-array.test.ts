/**
 * The binary arrays of src/platform/db/binary-array.ts as PostgreSQL reads them: each
 * compared with the same values sent the way node-postgres sends a JS array (a text
 * literal), in the statements' casts, through unnest and by position.
 */
import { Client } from 'pg';
import { binaryBoolArray, binaryInt4Array, binaryInt8Array, binaryTextArray, binaryUuidArray } from '../../src/platform/db/binary-array';
import { BASE_DATABASE_URL as url } from '../helpers/test-env';

describe('binary arrays in Postgres', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: url });
    await client.connect();
  });
  afterAll(() => client.end());

  async function both<T>(cast: string, values: unknown[], binary: Buffer): Promise<{ binary: T[]; literal: T[]; same: boolean; lower: number | null }> {
    const { rows } = await client.query<{ b: T[]; l: T[]; same: boolean; lower: number | null }>(
      `SELECT $1::${cast}[] AS b, $2::${cast}[] AS l, $1::${cast}[] IS NOT DISTINCT FROM $2::${cast}[] AS same, array_lower($1::${cast}[], 1) AS lower`,
      [binary, values],
    );
    return { binary: rows[0].b, literal: rows[0].l, same: rows[0].same, lower: rows[0].lower };
  }

  it('carry every kind of text exactly, NULL apart from the word', async () => {
    const texts = ['plain', '', 'NULL', 'null', ' spaced ', 'quote"d', 'back\\slash', '\\"', 'a,b', '{brace}', 'üñí©ødé ☎', '𝄞 emoji 🎉', 'ascii first, then ü and 🎉', 'tab\there', 'new\nline', null];
    const r = await both<string | null>('text', texts, binaryTextArray(texts));
    expect(r.binary).toEqual(texts);
    expect(r.same).toBe(true);
    expect(r.lower).toBe(1);
  });

  it('are refused by the server for text it cannot hold (NUL), as a literal would be', async () => {
    await expect(client.query(`SELECT $1::text[]`, [binaryTextArray(['a\u0000b'])])).rejects.toMatchObject({ code: '22021' });
  });

  it('carry int4 to its limits with NULLs, and refuse what int4 cannot hold before sending', async () => {
    const ints = [0, 1, -1, 2147483647, -2147483648, null, 42];
    const r = await both<number | null>('int', ints, binaryInt4Array(ints));
    expect(r.binary).toEqual(ints);
    expect(r.same).toBe(true);
    expect(() => binaryInt4Array([2147483648])).toThrow(RangeError);
    expect(() => binaryInt4Array([1.5])).toThrow(RangeError);
  });

  it('carry int8 across 32-bit halves, negative and up to 2^53', async () => {
    const ints = [0, 1, -1, 4294967295, 4294967296, -4294967296, -4294967297, 1_764_000_000_123, -1_764_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const { rows } = await client.query<{ t: string[]; same: boolean }>(`SELECT $1::int8[]::text[] AS t, $1::int8[] = $2::int8[] AS same`, [binaryInt8Array(ints), ints]);
    expect(rows[0].t).toEqual(ints.map(String));
    expect(rows[0].same).toBe(true);
    expect(() => binaryInt8Array([2 ** 53])).toThrow(RangeError);
  });

  it('carry uuids in either case, and refuse anything else before sending', async () => {
    const ids = ['00000000-0000-4000-8000-000000000001', 'ffffffff-ffff-4fff-bfff-ffffffffffff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'];
    const r = await both<string>('uuid', ids, binaryUuidArray(ids));
    expect(r.binary).toEqual(ids.map((id) => id.toLowerCase()));
    expect(r.same).toBe(true);
    for (const bad of ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1é', 'a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99 9c0b 4ef8 bb6d 6bb9bd380a11', '']) {
      expect(() => binaryUuidArray([bad])).toThrow(RangeError);
    }
  });

  it('carry booleans', async () => {
    const r = await both<boolean>('boolean', [true, false, true], binaryBoolArray([true, false, true]));
    expect(r.binary).toEqual([true, false, true]);
    expect(r.same).toBe(true);
  });

  it('send empty arrays of every type as empty, which unnest pads with NULLs beside a longer one', async () => {
    for (const [cast, binary] of [['text', binaryTextArray([])], ['int', binaryInt4Array([])], ['int8', binaryInt8Array([])], ['uuid', binaryUuidArray([])], ['boolean', binaryBoolArray([])]] as const) {
      const { rows } = await client.query<{ n: number }>(`SELECT cardinality($1::${cast}[]) AS n`, [binary]);
      expect({ cast, n: rows[0].n }).toEqual({ cast, n: 0 });
    }
    const { rows } = await client.query<{ a: number; b: number | null }>(`SELECT a, b FROM unnest($1::int[], $2::int[]) AS u(a, b)`, [binaryInt4Array([7, 8]), binaryInt4Array([])]);
    expect(rows).toEqual([{ a: 7, b: null }, { a: 8, b: null }]);
  });

  it('read positions from 1 and line up with other columns in unnest, mixed with text parameters', async () => {
    const ids = ['00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001'];
    const { rows } = await client.query<{ id: string; name: string; n: string }>(
      `SELECT ($2::uuid[])[u.at] AS id, u.name, u.n::text AS n FROM unnest($1::int[], $3::text[], $4::numeric[]) WITH ORDINALITY AS u(at, name, n, i) ORDER BY i`,
      [binaryInt4Array([2, 1, 2]), binaryUuidArray(ids), binaryTextArray(['x', 'y', 'z']), '{0.5,1,2.25}'],
    );
    expect(rows).toEqual([
      { id: ids[1], name: 'x', n: '0.5' },
      { id: ids[0], name: 'y', n: '1' },
      { id: ids[1], name: 'z', n: '2.25' },
    ]);
  });
});

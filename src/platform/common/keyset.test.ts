import { SqlWhere, type Queryable } from '../db/sql';
import { Keyset } from './keyset';
import { encodeCursor } from './pagination';

/** Answers the page statement with `rows` and the count with `total`, and records both. */
function fakeDb(rows: Record<string, unknown>[], total: number): Queryable & { sent: [string, unknown[]][] } {
  const sent: [string, unknown[]][] = [];
  return {
    sent,
    query: async <R>(sql: unknown, params: unknown[] = []) => {
      sent.push([String(sql), params]);
      return (String(sql).startsWith('SELECT count') ? [{ n: String(total) }] : rows) as R[];
    },
  };
}

describe('Keyset', () => {
  const byName = new Keyset([
    { sql: 'lower(c.name)', type: 'text' },
    { sql: 'c.id', type: 'uuid' },
  ]);
  const uuid = '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11';

  it('orders, compares and reads the key in one direction for every column', () => {
    const where = new SqlWhere().add((p) => `c.status = ${p}`, 'ACTIVE');
    byName.addAfter(where, ['acme', uuid]);
    expect(where.sql).toBe('c.status = $1 AND (lower(c.name), c.id) > ($2::text, $3::uuid)');
    expect(byName.orderBy).toBe('lower(c.name) ASC, c.id ASC');
    expect(byName.select).toBe('(lower(c.name))::text AS keyset_0, (c.id)::text AS keyset_1');
    const newest = new Keyset([{ sql: 'n.id', type: 'bigint' }], 'DESC');
    expect(newest.after('$1::bigint')).toBe('n.id < $1::bigint');
    expect(newest.orderBy).toBe('n.id DESC');
  });

  it('writes its tag first into each cursor and refuses a cursor of another tag', () => {
    const byBalance = new Keyset([{ sql: 'c.balance', type: 'numeric' }, { sql: 'c.id', type: 'uuid' }], 'DESC', 'BALANCE');
    expect(byBalance.keyOf({ keyset_0: '-1.5000000000', keyset_1: uuid })).toEqual(['BALANCE', '-1.5000000000', uuid]);
    expect(byBalance.decode(encodeCursor(['BALANCE', '-1.5000000000', uuid]))).toEqual(['-1.5000000000', uuid]);
    expect(() => byBalance.decode(encodeCursor(['NAME', '-1.5000000000', uuid]))).toThrow('after is not a cursor from this list');
  });

  it('lists a page: the keyset only in the page statement, one extra row for hasNextPage, the count over the filter', async () => {
    const rows = [1, 2, 3].map((i) => ({ id: `id${i}`, keyset_0: `n${i}`, keyset_1: uuid }));
    const db = fakeDb(rows, 7);
    const where = new SqlWhere().add((p) => `c.type = ${p}`, 'CARRIER');
    const page = await byName.list(db, { select: 'c.id', from: 'FROM customers c', where, limit: 2, after: ['m', uuid], map: (r: { id: string }) => r.id });
    expect(db.sent).toEqual([
      [
        'SELECT c.id, (lower(c.name))::text AS keyset_0, (c.id)::text AS keyset_1 FROM customers c WHERE c.type = $1 AND (lower(c.name), c.id) > ($2::text, $3::uuid) ORDER BY lower(c.name) ASC, c.id ASC LIMIT $4',
        ['CARRIER', 'm', uuid, 3],
      ],
      ['SELECT count(*) AS n FROM customers c WHERE c.type = $1', ['CARRIER']],
    ]);
    expect(page).toMatchObject({ nodes: ['id1', 'id2'], totalCount: 7, pageInfo: { hasNextPage: true, endCursor: encodeCursor(['n2', uuid]) } });
  });
});

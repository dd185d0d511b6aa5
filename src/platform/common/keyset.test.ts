import { SqlWhere, type Queryable } from '../db/sql';
import { isPreparedSql, type PreparedSql } from '../db/prepared-sql';
import { Keyset } from './keyset';
import { encodeCursor } from './pagination';

/** Answers the page statement with `rows`, a count with `total`, EXISTS with `beyond` and EXPLAIN with `estimate` rows; records every statement. */
function fakeDb(rows: Record<string, unknown>[], total: number, beyond = false, estimate = 0): Queryable & { sent: [string, unknown[]][]; named: string[] } {
  const sent: [string, unknown[]][] = [];
  const named: string[] = [];
  return {
    sent,
    named,
    query: async <R>(sql: string | PreparedSql, params: unknown[] = []) => {
      const text = isPreparedSql(sql) ? sql.text : sql;
      if (isPreparedSql(sql)) named.push(text);
      sent.push([text, params]);
      if (text.startsWith('SELECT count')) return [{ n: String(total) }] as R[];
      if (text.startsWith('SELECT EXISTS')) return [{ beyond }] as R[];
      if (text.startsWith('EXPLAIN')) return [{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': estimate } }] }] as R[];
      return rows as R[];
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

  it('lists a page in one statement: the keyset, one extra row for hasNextPage; the count and the cursor check only when read', async () => {
    const rows = [1, 2, 3].map((i) => ({ id: `id${i}`, keyset_0: `n${i}`, keyset_1: uuid }));
    const db = fakeDb(rows, 7);
    const where = new SqlWhere().add((p) => `c.type = ${p}`, 'CARRIER');
    const page = await byName.list(db, { select: 'c.id', from: 'FROM customers c', where, limit: 2, after: ['m', uuid], map: (r: { id: string }) => r.id });
    expect(db.sent).toEqual([
      [
        'SELECT c.id, (lower(c.name))::text AS keyset_0, (c.id)::text AS keyset_1 FROM customers c WHERE c.type = $1 AND (lower(c.name), c.id) > ($2::text, $3::uuid) ORDER BY lower(c.name) ASC, c.id ASC LIMIT 3',
        ['CARRIER', 'm', uuid],
      ],
    ]);
    // The page statement is a named one (parsed and planned once per connection), its limit written in.
    expect(db.named).toEqual([db.sent[0][0]]);
    expect(page).toMatchObject({
      nodes: ['id1', 'id2'],
      pageInfo: { hasNextPage: true, startCursor: encodeCursor(['n1', uuid]), endCursor: encodeCursor(['n2', uuid]) },
    });
    expect(await page.totalCount).toBe(7);
    expect(await page.pageInfo.hasPreviousPage).toBe(false);
    // Read twice, sent once.
    expect(await page.totalCount).toBe(7);
    expect(db.sent.slice(1)).toEqual([
      ['SELECT count(*) AS n FROM customers c WHERE c.type = $1', ['CARRIER']],
      ['SELECT EXISTS (SELECT 1 FROM customers c WHERE c.type = $1 AND (lower(c.name), c.id) <= ($2::text, $3::uuid)) AS beyond', ['CARRIER', 'm', uuid]],
    ]);
  });

  it('needs no cursor check for a page at the start of the list', async () => {
    const db = fakeDb([], 0);
    const page = await byName.list(db, { select: 'c.id', from: 'FROM customers c', where: new SqlWhere(), limit: 2, after: undefined, map: (r: { id: string }) => r.id });
    expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(await page.totalCount).toBe(0);
    expect(db.sent[1]).toEqual(['SELECT count(*) AS n FROM customers c WHERE true', []]);
    expect(db.sent).toHaveLength(2);
  });

  it('counts a log exactly up to its bound, then answers the planner estimate (never below bound + 1)', async () => {
    const ids = new Keyset([{ sql: 'e.id', type: 'bigint' }]);
    const where = new SqlWhere().add((p) => `e.kind = ${p}`, 'TRIGGERED');
    const list = (db: Queryable) =>
      ids.list(db, { select: 'e.id', from: 'FROM alert_events e', where, limit: 1, after: undefined, map: (r: { id: string }) => r.id, count: { exactUpTo: 100 } });
    const small = fakeDb([], 42);
    expect(await (await list(small)).totalCount).toBe(42);
    expect(small.sent[1]).toEqual(['SELECT count(*) AS n FROM (SELECT 1 FROM alert_events e WHERE e.kind = $1 LIMIT 101) bounded', ['TRIGGERED']]);
    expect(small.sent).toHaveLength(2);
    const large = fakeDb([], 101, false, 5000.4);
    expect(await (await list(large)).totalCount).toBe(5000);
    expect(large.sent[2]).toEqual(['EXPLAIN (FORMAT JSON) SELECT 1 FROM alert_events e WHERE e.kind = $1', ['TRIGGERED']]);
    const underestimated = fakeDb([], 101, false, 3);
    expect(await (await list(underestimated)).totalCount).toBe(101);
  });

  it('reads a page from the end: reversed order, rows turned back, the extra row for hasPreviousPage, rows at or after before for hasNextPage', async () => {
    const newest = new Keyset([{ sql: 'e.id', type: 'bigint' }]);
    // Read newest first: 9, 8, 7 for last: 2 before 10.
    const rows = [9, 8, 7].map((i) => ({ id: i, keyset_0: String(i) }));
    const db = fakeDb(rows, 12, true);
    const request = newest.request({ last: 2, before: encodeCursor(['10']) });
    expect(request).toEqual({ limit: 2, after: undefined, before: ['10'], fromEnd: true });
    const page = await newest.list(db, { select: 'e.id', from: 'FROM alert_events e', where: new SqlWhere(), ...request, map: (r: { id: number }) => r.id });
    expect(page.nodes).toEqual([8, 9]);
    expect(await page.pageInfo.hasNextPage).toBe(true);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, startCursor: encodeCursor(['8']), endCursor: encodeCursor(['9']) });
    expect(db.sent).toEqual([
      ['SELECT e.id, (e.id)::text AS keyset_0 FROM alert_events e WHERE e.id < $1::bigint ORDER BY e.id DESC LIMIT 3', ['10']],
      ['SELECT EXISTS (SELECT 1 FROM alert_events e WHERE e.id >= $1::bigint) AS beyond', ['10']],
    ]);
  });

  it('turns paging arguments into a request: last or a lone before counts from the end; first and last together are refused', () => {
    const ids = new Keyset([{ sql: 'e.id', type: 'bigint' }], 'DESC');
    expect(ids.request({})).toEqual({ limit: 50, after: undefined, before: undefined, fromEnd: false });
    expect(ids.request({ last: 5 })).toEqual({ limit: 5, after: undefined, before: undefined, fromEnd: true });
    expect(ids.request({ before: encodeCursor(['4']) })).toMatchObject({ limit: 50, before: ['4'], fromEnd: true });
    expect(ids.request({ first: 3, before: encodeCursor(['4']) })).toMatchObject({ limit: 3, before: ['4'], fromEnd: false });
    expect(() => ids.request({ first: 1, last: 1 })).toThrow('first and last cannot be combined');
    expect(() => ids.request({ last: 501 })).toThrow('last must be at most 500');
    expect(() => ids.request({ before: 'nope' })).toThrow('before is not a cursor from this list');
    // Reading from the end reverses every column's direction.
    expect(ids.reverseOrderBy).toBe('e.id ASC');
  });
});

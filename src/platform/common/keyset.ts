/**
 * Keyset pagination, one way for every list. A list names its ordered key columns (the
 * last one unique, e.g. the id) and one direction; from them come the ORDER BY, the
 * "after the cursor" condition and the key each row's cursor holds. The key is read
 * back from SQL as text, so a cursor carries exactly the value the comparison sees, and
 * the comparison casts it back to the column's type.
 *
 * One direction for all columns: `(a, b) > ($1, $2)` is a row comparison, which a btree
 * index on (a, b) serves whichever way it is read.
 */
import { badInput } from './errors';
import { decodeCursor, pageSize, toPage, type CursorColumn, type CursorKey, type ListBounds, type Page } from './pagination';
import type { Queryable, SqlWhere } from '../db/sql';
import { dynamicSql } from '../db/prepared-sql';
import { lazy } from './lazy';

export interface KeyColumn {
  /** The sort expression over the list's FROM, e.g. `lower(c.name)`. */
  sql: string;
  /** Its SQL type: a cursor's value is checked against it and cast back to it. */
  type: Exclude<CursorColumn, { oneOf: readonly string[] }>;
  /** How the key is written into a cursor, as SQL text (default `(sql)::text`). */
  text?: string;
}

/** The key columns the page query adds to each row (keyset_0, keyset_1, ...). */
type KeyedRow = Record<`keyset_${number}`, string>;

/** A list field's paging arguments, as the client sent them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A page asked for: its size, the keys of its cursors, and the end it is counted from. */
export interface PageRequest {
  /** Rows per page (`first` or `last`, already bounded). */
  limit: number;
  /** The key of `after` from decode(); undefined for the start of the list. */
  after: string[] | undefined;
  /** The key of `before`; undefined for the end of the list. */
  before?: string[];
  /**
   * Counted from the end (`last`, or `before` without `first`): the `limit` rows right
   * before `before` (or the list's last `limit` rows), still in list order.
   */
  fromEnd?: boolean;
}

/**
 * How a list's totalCount counts. `exact` counts every row the filter matches (lists an
 * index keeps small or cheap to count). `{ exactUpTo }` is for logs that grow without bound
 * (alert events, CDRs, the ledger, notifications), where count(*) over a broad filter
 * reads every matching row (56-78 ms over 200k events): it counts exactly up to the bound
 * (a count over a LIMIT bound + 1 subquery, so at most bound + 1 rows are read) and beyond it
 * answers PostgreSQL's planner estimate of the filter's rows, never below bound + 1.
 */
export type CountRule = 'exact' | { exactUpTo: number };

/** The bound of the logs' totalCount (see CountRule), stated in their fields' descriptions. */
export const LOG_COUNT: CountRule = { exactUpTo: 10_000 };

/** The totalCount description of a list counted by `LOG_COUNT`. */
export const LOG_COUNT_DESCRIPTION =
  "Rows the filter matches: exact up to 10,000; beyond that, PostgreSQL's planner estimate (never below 10,001), as counting a log exactly reads every matching row. Counted only when selected.";

export interface ListQuery<R, T> extends PageRequest {
  /** The list's columns, e.g. `c.id, c.name`. */
  select: string;
  /** `FROM ...` with its joins. */
  from: string;
  /** Joins for the page statement only (what its rows refer to; totalCount and the start check do without). */
  join?: string;
  /** The list's filter (totalCount counts every row it matches). */
  where: SqlWhere;
  map: (row: R) => T;
  /** How totalCount counts (default exact). */
  count?: CountRule;
}

/** Where rows lie relative to a cursor's key, in list order. */
type Side = 'after' | 'before' | 'atOrBefore' | 'atOrAfter';

export class Keyset {
  /**
   * @param tag written first into every cursor and required back (e.g. the sort field),
   *   so a cursor of one order is refused by another.
   */
  constructor(
    readonly columns: readonly KeyColumn[],
    readonly direction: 'ASC' | 'DESC' = 'ASC',
    private readonly tag?: string,
  ) {}

  /** The key of a cursor of this list (tag removed); undefined without one; BAD_USER_INPUT when it is not this list's. */
  decode(cursor: string | null | undefined, arg: 'after' | 'before' = 'after'): string[] | undefined {
    const types: CursorColumn[] = this.columns.map((c) => c.type);
    if (this.tag === undefined) return decodeCursor(cursor, types, arg);
    return decodeCursor(cursor, [{ oneOf: [this.tag] }, ...types], arg)?.slice(1);
  }

  /**
   * The page a list field's arguments ask for. `first`/`after` page forward from the start
   * (or from after); `last`/`before` page backward from the end (or from before), so the
   * end of a list is one request away. Both cursors bound a range; first and last together
   * are refused (Relay leaves their combination undefined).
   */
  request(args: PageArgs, bounds?: ListBounds): PageRequest {
    const given = (v: unknown) => v !== null && v !== undefined;
    if (given(args.first) && given(args.last)) throw badInput('first and last cannot be combined: page forward with first/after or backward with last/before', 'last');
    const fromEnd = given(args.last) || (given(args.before) && !given(args.first));
    return {
      limit: fromEnd ? pageSize(args.last, bounds, 'last') : pageSize(args.first, bounds),
      after: this.decode(args.after, 'after'),
      before: this.decode(args.before, 'before'),
      fromEnd,
    };
  }

  /** `ORDER BY` list: every key column in the list's direction. */
  get orderBy(): string {
    return this.order(false);
  }

  /** The list's order reversed (a page read from the end). */
  get reverseOrderBy(): string {
    return this.order(true);
  }

  private order(reversed: boolean): string {
    const dir = (this.direction === 'ASC') !== reversed ? 'ASC' : 'DESC';
    return this.columns.map((c) => `${c.sql} ${dir}`).join(', ');
  }

  /** The key columns compared with `row`, an SQL row value (or a subquery giving one): the rows after it. */
  after(row: string): string {
    return this.compare(row, 'after');
  }

  private compare(row: string, side: Side): string {
    const keys = this.columns.map((c) => c.sql).join(', ');
    const later = this.direction === 'ASC' ? '>' : '<';
    const earlier = this.direction === 'ASC' ? '<' : '>';
    const op = { after: later, before: earlier, atOrAfter: `${later}=`, atOrBefore: `${earlier}=` }[side];
    return this.columns.length === 1 ? `${keys} ${op} ${row}` : `(${keys}) ${op} ${row}`;
  }

  /** Adds "on this side of this cursor's key" to where, each value bound and cast to its column's type. */
  addAfter(where: SqlWhere, key: readonly string[], side: Side = 'after'): void {
    const bound = key.map((value, i) => where.param(value, this.columns[i].type));
    where.raw(this.compare(bound.length === 1 ? bound[0] : `(${bound.join(', ')})`, side));
  }

  /** Select-list entries that carry a row's cursor key (keyset_0, ...), read by keyOf. */
  get select(): string {
    return this.columns.map((c, i) => `${c.text ?? `(${c.sql})::text`} AS keyset_${i}`).join(', ');
  }

  /** The cursor key of a row selected with `select`. */
  keyOf(row: object): CursorKey {
    const keyed = row as KeyedRow;
    const key = this.columns.map((_, i) => keyed[`keyset_${i}`]);
    return this.tag === undefined ? key : [this.tag, ...key];
  }

  /**
   * One page of a list in one statement whatever the page: `SELECT select FROM from WHERE
   * where [cursors] ORDER BY keys LIMIT limit + 1` (read from the end for last/before, in
   * reverse order; the extra row tells whether the list goes on that way). totalCount and,
   * when the page started from a cursor, whether any row lies beyond it (hasPreviousPage of
   * a forward page, hasNextPage of a backward one) are lazy: each is a statement of its own,
   * sent only when the query selects that field.
   */
  async list<R, T>(db: Queryable, q: ListQuery<R, T>): Promise<Page<T>> {
    const page = q.where.clone();
    if (q.after) this.addAfter(page, q.after, 'after');
    if (q.before) this.addAfter(page, q.before, 'before');
    // The limit is written in (a whole number from pageSize) and the statement named: the
    // same page of a dashboard is then parsed and planned once per connection, and a
    // generic plan knows its limit (a LIMIT parameter would be planned as unknown).
    if (!Number.isSafeInteger(q.limit) || q.limit < 0) throw new Error(`page limit must be a whole number, got ${q.limit}`);
    const rows = await db.query<R & KeyedRow>(
      dynamicSql(`SELECT ${q.select}, ${this.select} ${q.from}${q.join ? ` ${q.join}` : ''} WHERE ${page.sql} ORDER BY ${q.fromEnd ? this.reverseOrderBy : this.orderBy} LIMIT ${q.limit + 1}`),
      page.params,
    );
    const start = q.fromEnd ? q.before : q.after;
    let beyondStart: PromiseLike<boolean> | boolean = false;
    if (start) {
      const beyond = q.where.clone();
      this.addAfter(beyond, start, q.fromEnd ? 'atOrAfter' : 'atOrBefore');
      beyondStart = lazy(async () => (await db.query<{ beyond: boolean }>(`SELECT EXISTS (SELECT 1 ${q.from} WHERE ${beyond.sql}) AS beyond`, beyond.params))[0].beyond);
    }
    const keys = new Map<T, CursorKey>();
    const nodes = rows.map((row) => {
      const node = q.map(row);
      keys.set(node, this.keyOf(row));
      return node;
    });
    const total = lazy(() => countRows(db, q.from, q.where, q.count ?? 'exact'));
    return toPage(nodes, q.limit, total, (node) => keys.get(node)!, { fromEnd: q.fromEnd, beyondStart });
  }
}

/** The rows `from` + `where` match, by `rule` (see CountRule). */
export async function countRows(db: Queryable, from: string, where: SqlWhere, rule: CountRule): Promise<number> {
  // count(*) is bigint, read as a string: a list (CDRs) can outgrow int4.
  if (rule === 'exact') return Number((await db.query<{ n: string }>(`SELECT count(*) AS n ${from} WHERE ${where.sql}`, where.params))[0].n);
  const bound = rule.exactUpTo;
  const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 ${from} WHERE ${where.sql} LIMIT ${bound + 1}) bounded`, where.params);
  if (Number(n) <= bound) return Number(n);
  const [plan] = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`EXPLAIN (FORMAT JSON) SELECT 1 ${from} WHERE ${where.sql}`, where.params);
  return Math.max(bound + 1, Math.round(plan['QUERY PLAN'][0].Plan['Plan Rows']));
}

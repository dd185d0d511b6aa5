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
import { decodeCursor, toPage, type CursorColumn, type CursorKey, type Page } from './pagination';
import type { Queryable, SqlWhere } from '../db/sql';

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

export interface ListQuery<R, T> {
  /** The list's columns, e.g. `c.id, c.name`. */
  select: string;
  /** `FROM ...` with its joins. */
  from: string;
  /** The list's filter (totalCount counts every row it matches). */
  where: SqlWhere;
  /** Rows per page (`first`, already bounded). */
  limit: number;
  /** The cursor's key from decode(); undefined for the first page. */
  after: string[] | undefined;
  map: (row: R) => T;
}

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
  decode(after: string | null | undefined): string[] | undefined {
    const types: CursorColumn[] = this.columns.map((c) => c.type);
    if (this.tag === undefined) return decodeCursor(after, types);
    return decodeCursor(after, [{ oneOf: [this.tag] }, ...types])?.slice(1);
  }

  /** `ORDER BY` list: every key column in the list's direction. */
  get orderBy(): string {
    return this.columns.map((c) => `${c.sql} ${this.direction}`).join(', ');
  }

  /** The key columns compared with `row`, an SQL row value (or a subquery giving one): the rows after it. */
  after(row: string): string {
    const keys = this.columns.map((c) => c.sql).join(', ');
    const op = this.direction === 'ASC' ? '>' : '<';
    return this.columns.length === 1 ? `${keys} ${op} ${row}` : `(${keys}) ${op} ${row}`;
  }

  /** Adds "after this cursor's key" to where, each value bound and cast to its column's type. */
  addAfter(where: SqlWhere, key: readonly string[]): void {
    const bound = key.map((value, i) => where.param(value, this.columns[i].type));
    where.raw(this.after(bound.length === 1 ? bound[0] : `(${bound.join(', ')})`));
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
   * One page of a list and its totalCount: `SELECT select FROM from WHERE where [after]
   * ORDER BY keys LIMIT limit + 1` (the extra row only tells whether a next page exists),
   * then the count of every row where matches. Two statements, whatever the page.
   */
  async list<R, T>(db: Queryable, q: ListQuery<R, T>): Promise<Page<T>> {
    const page = q.where.clone();
    if (q.after) this.addAfter(page, q.after);
    const rows = await db.query<R & KeyedRow>(
      `SELECT ${q.select}, ${this.select} ${q.from} WHERE ${page.sql} ORDER BY ${this.orderBy} LIMIT ${page.param(q.limit + 1)}`,
      page.params,
    );
    // count(*) is bigint, read as a string: a list (CDRs) can outgrow int4.
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n ${q.from} WHERE ${q.where.sql}`, q.where.params);
    const keys = new Map<T, CursorKey>();
    const nodes = rows.map((row) => {
      const node = q.map(row);
      keys.set(node, this.keyOf(row));
      return node;
    });
    return toPage(nodes, q.limit, Number(n), (node) => keys.get(node)!);
  }
}

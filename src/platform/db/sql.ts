/**
 * How every module reaches the database: parameterised SQL, `query<Row>(sql, params)`,
 * on the pool (Database) or inside a transaction (UnitOfWork), both a Queryable; a row
 * is a plain interface beside the type that maps it (`XType.from(row)`). TypeORM stays
 * underneath for the pool, transactions and migrations, never for reads or writes.
 *
 * The builders below keep the `$n` numbering right when a statement is put together from
 * parts: optional filters (SqlWhere) and writes of only the fields a caller gave
 * (insertValues, assignments). Values are always bound, never spliced; column names come
 * from code and are checked.
 */
import type { PreparedSql } from './prepared-sql';

/** Runs one statement and returns its rows: Database (autocommit) or UnitOfWork (its transaction). */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string | PreparedSql, params?: unknown[]): Promise<R[]>;
}

/**
 * Columns to write and their values. A key whose value is undefined was not given and is
 * left out (the column keeps its value, or its default on insert); null writes NULL.
 */
export type ColumnValues = Readonly<Record<string, unknown>>;

/** The SQL type to cast a column's parameter to where it matters (e.g. `{ ip: 'cidr' }`). */
export type ColumnCasts = Readonly<Record<string, string>>;

const IDENTIFIER_RE = /^[a-z_][a-z0-9_]*$/;

/** The given columns of values, in their order; a name that is not a plain identifier is a bug. */
function givenColumns(values: ColumnValues): string[] {
  return Object.keys(values).filter((column) => {
    if (!IDENTIFIER_RE.test(column)) throw new Error(`not a column name: ${column}`);
    return values[column] !== undefined;
  });
}

/** The parameters of one statement, bound in the order their placeholders are written. */
export class SqlParams {
  readonly params: unknown[] = [];

  /** Binds a value; returns its placeholder (`$n`, with `::cast` when one is given). */
  param(value: unknown, cast?: string): string {
    this.params.push(value);
    return cast ? `$${this.params.length}::${cast}` : `$${this.params.length}`;
  }

  /** `(a, b) VALUES ($1, $2)` of the given columns, for `INSERT INTO table ...`; `DEFAULT VALUES` when none is. */
  insertValues(values: ColumnValues, casts: ColumnCasts = {}): string {
    const columns = givenColumns(values);
    if (!columns.length) return 'DEFAULT VALUES';
    const placeholders = columns.map((c) => this.param(values[c], casts[c]));
    return `(${columns.join(', ')}) VALUES (${placeholders.join(', ')})`;
  }

  /** `a = $1, b = $2` of the given columns, then `always` (e.g. `updated_at = now()`), for an UPDATE's SET. */
  assignments(values: ColumnValues, always: readonly string[] = [], casts: ColumnCasts = {}): string {
    const set = givenColumns(values).map((c) => `${c} = ${this.param(values[c], casts[c])}`);
    return [...set, ...always].join(', ');
  }
}

/**
 * A WHERE built from optional filters: each condition names its value's placeholder, so
 * list queries never splice user input into SQL and never miscount $n.
 */
export class SqlWhere extends SqlParams {
  private readonly conditions: string[] = [];

  /** Adds `sql(placeholder)` as a condition bound to value. */
  add(sql: (placeholder: string) => string, value: unknown): this {
    this.conditions.push(sql(this.param(value)));
    return this;
  }

  /** Adds a condition with no parameter (or whose parameters were bound with param()). */
  raw(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** The conditions ANDed ('true' when there are none). */
  get sql(): string {
    return this.conditions.length ? this.conditions.join(' AND ') : 'true';
  }

  /** An independent copy, e.g. the page query extends it with a keyset the count must not see. */
  clone(): SqlWhere {
    const copy = new SqlWhere();
    copy.params.push(...this.params);
    copy.conditions.push(...this.conditions);
    return copy;
  }
}

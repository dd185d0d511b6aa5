/**
 * Postgres array literals for the hot path's unnest parameters. node-postgres turns
 * a JS array into the same literal, but escapes every element with two regex
 * replaces and quotes it; for columns whose values can hold no quote, backslash,
 * comma, brace or whitespace (uuids, ISO timestamps, canonical decimals, integers,
 * enum names) the elements go in as they are. Text is quoted, and escaped only when
 * it holds a quote or backslash. Send the result as the parameter of a `$n::type[]`.
 */

/** Elements that need no quoting (uuid, ISO-8601 timestamp, canonical decimal, integer, enum name); null is NULL. */
export function plainArrayLiteral(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (i === 0 ? '' : ',') + (v === null ? 'NULL' : v);
  }
  return out + '}';
}

const NEEDS_ESCAPE = /["\\]/;

/** Any text; every element quoted, so NULL-like words and empty strings keep their meaning; null is NULL. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else out += '"' + (NEEDS_ESCAPE.test(v) ? v.replace(/[\\"]/g, '\\$&') : v) + '"';
  }
  return out + '}';
}

/**
 * SQL turning an int8 of epoch milliseconds into a timestamptz. Exact: the product
 * (ms * 1000 microseconds) is an integer below 2^53 until the year 2255, which the
 * float8 step of interval multiplication holds exactly (CDR start times are at most
 * minutes ahead of now). A JS Date is epoch ms already, so the hot path sends
 * integers instead of formatting (and Postgres parsing) ISO text per row.
 */
export function epochMsToTimestamptz(column: string): string {
  return `(timestamptz 'epoch' + ${column} * interval '1 millisecond')`;
}

/**
 * The distinct values of a column, in first-seen order, each with its 1-based position
 * (Postgres arrays start at 1): a column with few distinct values (a batch's customers)
 * goes once as `values`, rows send `position(v)`, and SQL reads `($n::type[])[pos]`.
 */
export class DistinctValues {
  readonly values: string[] = [];
  private readonly positions = new Map<string, number>();

  get size(): number {
    return this.values.length;
  }

  position(value: string): number {
    let p = this.positions.get(value);
    if (p === undefined) {
      p = this.values.push(value);
      this.positions.set(value, p);
    }
    return p;
  }
}

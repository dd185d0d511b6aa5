/**
 * Relay connections with opaque keyset cursors. A cursor holds the sort key and id of
 * the last row seen, so pages stay stable while rows are inserted (no OFFSET drift).
 */
import { ClassType, Extensions, Field, Int, ObjectType } from 'type-graphql';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from './errors';
import { isUnsafeText } from './unsafe-text';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
@ObjectType()
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether the list goes on after endCursor.' })
  hasNextPage!: Awaitable<boolean>;

  @Field(() => Boolean, { description: 'Whether the list has rows before startCursor (page back with last/before where a list takes them).' })
  hasPreviousPage!: Awaitable<boolean>;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** How many items a list returns when `first` is absent, and at most. */
export interface ListBounds {
  default: number;
  max: number;
}

/** The page size asked for (`first`, or `last` when named so), within bounds; BAD_USER_INPUT beyond them. */
export function pageSize(
  first: number | null | undefined,
  bounds: ListBounds = { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
  arg: 'first' | 'last' = 'first',
): number {
  if (first === null || first === undefined) return bounds.default;
  if (!Number.isInteger(first) || first < 0) throw badInput(`${arg} must be 0 or more`, arg);
  if (first > bounds.max) throw badInput(`${arg} must be at most ${bounds.max}`, arg);
  return first;
}

export type CursorKey = (string | number | null)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The SQL type of a cursor column; decodeCursor checks each value against it, so a
 * hand-made cursor is refused here, before it can fail a cast in a statement.
 * `{ oneOf }` is a tag (e.g. the sort field a cursor belongs to), never sent to SQL.
 */
export type CursorColumn = 'text' | 'uuid' | 'bigint' | 'numeric' | 'timestamptz' | 'cidr' | { oneOf: readonly string[] };

/** Longer than any key a list writes (names are at most a few hundred characters). */
const MAX_TEXT_KEY = 1000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// "0" is the position before every row (a feed resumed from the start).
const BIGINT_RE = /^(0|[1-9]\d{0,17})$/;
// NUMERIC(28,10) as Postgres writes it.
const NUMERIC_RE = /^-?\d{1,18}(\.\d{1,10})?$/;
// Both forms the lists write: to_char's ISO ("2026-11-23T10:15:00.000000Z") and timestamptz::text ("2026-11-23 10:15:00.123+00").
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

function validTimestamp(s: string): boolean {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

/** A network as text(cidr) writes it: a valid address and prefix, no bits set after the prefix. */
function validCidr(s: string): boolean {
  // ipaddr.js also reads forms Postgres refuses (hex and octal IPv4, zone ids): the address must be plain.
  const slash = s.indexOf('/');
  if (slash < 0 || isIP(s.slice(0, slash)) === 0 || s.includes('%') || !ipaddr.isValidCIDR(s)) return false;
  const [addr, bits] = ipaddr.parseCIDR(s);
  const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(s) : ipaddr.IPv6.networkAddressFromCIDR(s);
  return bits >= 0 && network.toString() === addr.toString();
}

function fits(value: unknown, column: CursorColumn): value is string {
  if (typeof value !== 'string') return false;
  if (typeof column === 'object') return column.oneOf.includes(value);
  switch (column) {
    case 'text':
      return value.length <= MAX_TEXT_KEY && !isUnsafeText(value);
    case 'uuid':
      return UUID_RE.test(value);
    case 'bigint':
      return BIGINT_RE.test(value);
    case 'numeric':
      return NUMERIC_RE.test(value);
    case 'timestamptz':
      return validTimestamp(value);
    case 'cidr':
      return value.length <= 64 && validCidr(value);
  }
}

/**
 * The key a cursor holds, one string per column, each checked against its SQL type;
 * BAD_USER_INPUT when it was not made by encodeCursor for a list with these columns.
 */
export function decodeCursor(cursor: string | null | undefined, columns: readonly CursorColumn[], arg: 'after' | 'before' = 'after'): string[] | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (Array.isArray(key) && key.length === columns.length && key.every((k, i) => fits(k, columns[i]))) return key as string[];
  throw badInput(`${arg} is not a cursor from this list`, arg);
}

/** A field's value as graphql-js takes it: the value, or a (lazy) thenable of it. */
export type Awaitable<T> = T | PromiseLike<T>;

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  /** Often lazy (keyset.ts): a statement runs only when the query selects the field. */
  totalCount: Awaitable<number>;
}

/** How a page was read: from which end, and whether rows lie beyond the cursor it started from. */
export interface PageEnds {
  /** Read backward (last/before): the rows came in reverse list order and are turned back here. */
  fromEnd?: boolean;
  /** Whether rows exist on the far side of the cursor the page started from (after for a forward page, before for a backward one); may be lazy. */
  beyondStart?: Awaitable<boolean>;
}

/**
 * Builds a page from rows fetched with limit + 1 (the extra row only tells whether
 * a further page exists in the reading direction). A forward page's hasPreviousPage and a
 * backward page's hasNextPage say whether rows lie beyond the cursor it started from.
 */
export function toPage<T>(rows: T[], limit: number, totalCount: Awaitable<number>, keyOf: (row: T) => CursorKey, ends: PageEnds = {}): Page<T> {
  const more = rows.length > limit;
  const nodes = more ? rows.slice(0, limit) : rows.slice();
  if (ends.fromEnd) nodes.reverse();
  const beyond = ends.beyondStart ?? false;
  const cursor = (node: T) => encodeCursor(keyOf(node));
  // Edges (a cursor per row) are built only when the query reads them: a dashboard reading
  // `nodes` and pageInfo needs two cursors, not one per row.
  let edges: { cursor: string; node: T }[] | undefined;
  return {
    get edges() {
      return (edges ??= nodes.map((node) => ({ cursor: cursor(node), node })));
    },
    nodes,
    pageInfo: {
      hasNextPage: ends.fromEnd ? beyond : more,
      hasPreviousPage: ends.fromEnd ? more : beyond,
      startCursor: nodes.length ? cursor(nodes[0]) : null,
      endCursor: nodes.length ? cursor(nodes[nodes.length - 1]) : null,
    },
    totalCount,
  };
}

/** What totalCount of an exactly counted list says (see CountRule in keyset.ts). */
export const EXACT_COUNT_DESCRIPTION = 'Every row the filter matches, exactly. Counted only when selected.';

/**
 * Base of a `XConnection` type and its `XEdge`:
 * `@ObjectType() class CustomerConnection extends Connection(CustomerType, 'Customer') {}`.
 * The totalCount description states how the list counts (EXACT_COUNT_DESCRIPTION by default).
 */

export function Connection<T extends object>(nodeType: ClassType<T>, name: string, totalCountDescription: string = EXACT_COUNT_DESCRIPTION) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType()
  abstract class ConnectionType {
    // The connection's `first` counts the page in the query cost (see query-limits.ts).
    @Extensions({ listSize: 'page' })
    @Field(() => [Edge])
    edges!: Edge[];

    @Extensions({ listSize: 'page' })
    @Field(() => [nodeType])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: totalCountDescription })
    totalCount!: Awaitable<number>;
  }
  return ConnectionType;
}

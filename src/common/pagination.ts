/**
 * Relay connections with opaque keyset cursors. A cursor holds the sort key and id of
 * the last row seen, so pages stay stable while rows are inserted (no OFFSET drift).
 */
import { ClassType, Extensions, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from './errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/**
 * What the query cost counts an unpaged root list (customer classes, templates, API keys)
 * as: they hold configuration, tens of rows, but nothing caps them yet.
 */
export const UNPAGED_LIST_COST = MAX_PAGE_SIZE;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** How many items a list returns when `first` is absent, and at most. */
export interface ListBounds {
  default: number;
  max: number;
}

/** The page size asked for, within bounds; BAD_USER_INPUT beyond them. */
export function pageSize(first: number | null | undefined, bounds: ListBounds = { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE }): number {
  if (first === null || first === undefined) return bounds.default;
  if (!Number.isInteger(first) || first < 0) throw badInput('first must be 0 or more', 'first');
  if (first > bounds.max) throw badInput(`first must be at most ${bounds.max}`, 'first');
  return first;
}

export type CursorKey = (string | number | null)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor holds; BAD_USER_INPUT when it was not made by encodeCursor with that arity. */
export function decodeCursor(cursor: string | null | undefined, arity: number): CursorKey | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === arity && key.every((k) => k === null || ['string', 'number'].includes(typeof k))) {
      return key as CursorKey;
    }
  } catch {
    /* fall through to the typed error */
  }
  throw badInput('after is not a cursor from this list', 'after');
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Builds a page from rows fetched with limit + 1 (the extra row only tells whether
 * a next page exists).
 */
export function toPage<T>(rows: T[], limit: number, totalCount: number, keyOf: (row: T) => CursorKey): Page<T> {
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: { hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    totalCount,
  };
}

/**
 * Base of a `XConnection` type and its `XEdge`:
 * `@ObjectType() class CustomerConnection extends Connection(CustomerType, 'Customer') {}`.
 */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
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

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionType;
}

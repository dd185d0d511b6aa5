/**
 * The four dashboard queries of bench:lists, each written as a client of each server
 * would write it, selecting the same rows and the same columns, in the same order:
 * Lineguard sorts customers by lower(name), id (PostGraphile's NAME_LOWER, added by the
 * bench), trunks by name, id and hosts by ip, port, id; its event list is oldest first
 * over the rule kinds. `ids` reduces an answer to the ids
 * it holds, in order, so the two servers' answers can be compared before timing.
 */

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

/** Nested ids: a customer and its trunks, a trunk and its hosts... */
export type IdTree = (string | IdTree)[];

export interface ListQuery {
  label: string;
  lineguard: GraphqlRequest;
  postgraphile: GraphqlRequest;
  /** How many nesting levels of the answer hold ids (customers, trunks, hosts: 3); each must hold some. */
  idLevels: number;
  lineguardIds(data: unknown): IdTree;
  postgraphileIds(data: unknown): IdTree;
}

interface Node {
  id?: string;
  rowId?: string;
  [field: string]: unknown;
}

/** Lineguard's global ids are "<prefix>_<local id>"; PostGraphile's rowId is the local id. */
const local = (n: Node) => String(n.rowId ?? n.id!.slice(n.id!.indexOf('_') + 1));
const nodesOf = (conn: unknown) => (conn as { nodes: Node[] }).nodes;

const LG_CUSTOMER = 'id name company type status balance creditLimit';
const PG_CUSTOMER = 'rowId name company type status balance creditLimit';
const LG_TRUNK = 'id name direction enabled callLimit';
const PG_TRUNK = 'rowId name direction enabled callLimit';
const LG_HOST = 'id ip port enabled';
const PG_HOST = 'rowId ip port enabled';

function customersPage(): ListQuery {
  return {
    label: 'customers page 50, filtered and sorted',
    lineguard: {
      query: `query($filter: CustomerFilter, $orderBy: CustomerOrder, $first: Int) {
        customers(filter: $filter, orderBy: $orderBy, first: $first) { nodes { ${LG_CUSTOMER} } pageInfo { hasNextPage endCursor } }
      }`,
      variables: { filter: { type: ['CARRIER'], name: 'north' }, orderBy: { field: 'NAME', direction: 'ASC' }, first: 50 },
    },
    postgraphile: {
      query: `query($filter: CustomerFilter, $orderBy: [CustomerOrderBy!], $first: Int) {
        allCustomers(filter: $filter, orderBy: $orderBy, first: $first) { nodes { ${PG_CUSTOMER} } pageInfo { hasNextPage endCursor } }
      }`,
      variables: { filter: { type: { in: ['CARRIER'] }, name: { includesInsensitive: 'north' } }, orderBy: ['NAME_LOWER_ASC', 'PRIMARY_KEY_ASC'], first: 50 },
    },
    idLevels: 1,
    lineguardIds: (d) => nodesOf((d as { customers: unknown }).customers).map(local),
    postgraphileIds: (d) => nodesOf((d as { allCustomers: unknown }).allCustomers).map(local),
  };
}

function customersTree(first: number): ListQuery {
  return {
    label: `customers ${first} -> trunks -> hosts`,
    lineguard: {
      query: `query($first: Int) {
        customers(first: $first) { nodes { ${LG_CUSTOMER} trunks { ${LG_TRUNK} hosts { ${LG_HOST} } } } }
      }`,
      variables: { first },
    },
    postgraphile: {
      query: `query($first: Int) {
        allCustomers(first: $first, orderBy: [NAME_LOWER_ASC, PRIMARY_KEY_ASC]) { nodes { ${PG_CUSTOMER}
          trunksByCustomerId(orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { ${PG_TRUNK}
            hostsByTrunkIdAndCustomerIdAndTrunkDirection(orderBy: [IP_ASC, PORT_ASC, PRIMARY_KEY_ASC]) { nodes { ${PG_HOST} } } } } } }
      }`,
      variables: { first },
    },
    idLevels: 3,
    lineguardIds: (d) =>
      nodesOf((d as { customers: unknown }).customers).map((c) => [
        local(c),
        (c.trunks as Node[]).map((t) => [local(t), (t.hosts as Node[]).map(local)]),
      ]),
    postgraphileIds: (d) =>
      nodesOf((d as { allCustomers: unknown }).allCustomers).map((c) => [
        local(c),
        nodesOf(c.trunksByCustomerId).map((t) => [local(t), nodesOf(t.hostsByTrunkIdAndCustomerIdAndTrunkDirection).map(local)]),
      ]),
  };
}

function alertEventsPage(): ListQuery {
  const event = 'kind area value threshold subject occurredAt';
  return {
    label: 'alert events page 100 with customer and rule',
    lineguard: {
      query: `query($first: Int) {
        alertEvents(first: $first) { nodes { id ${event} customer { id name } definition { id title } } pageInfo { hasNextPage endCursor } }
      }`,
      variables: { first: 100 },
    },
    postgraphile: {
      query: `query($first: Int, $filter: AlertEventFilter) {
        allAlertEvents(first: $first, orderBy: PRIMARY_KEY_ASC, filter: $filter) {
          nodes { rowId ${event} customerByCustomerId { rowId name } alertDefinitionByDefinitionId { rowId title } } pageInfo { hasNextPage endCursor }
        }
      }`,
      variables: { first: 100, filter: { kind: { in: ['TRIGGERED', 'REPEATED', 'RESOLVED'] } } },
    },
    idLevels: 1,
    lineguardIds: (d) =>
      nodesOf((d as { alertEvents: unknown }).alertEvents).map((e) => [local(e), local(e.customer as Node), local(e.definition as Node)]),
    postgraphileIds: (d) =>
      nodesOf((d as { allAlertEvents: unknown }).allAlertEvents).map((e) => [
        local(e),
        local(e.customerByCustomerId as Node),
        local(e.alertDefinitionByDefinitionId as Node),
      ]),
  };
}

export const LIST_QUERIES: ListQuery[] = [customersPage(), customersTree(50), alertEventsPage(), customersTree(500)];

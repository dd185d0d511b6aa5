/**
 * Public ids are prefixed by type ("cus_<uuid>", "cdr_42"), so a node(id) lookup knows
 * its table, an id of the wrong type is refused early, and log lines are readable.
 */
import { notFound } from './errors';

export const ID_PREFIX = {
  Customer: 'cus',
  CustomerClass: 'cls',
  NotificationTemplate: 'tpl',
  Trunk: 'trk',
  Host: 'hst',
  AlertDefinition: 'alr',
  AlertEvent: 'evt',
  AlertIncident: 'inc',
  Cdr: 'cdr',
  Notification: 'ntf',
  ApiKey: 'key',
  LedgerEntry: 'led',
} as const;

export type NodeType = keyof typeof ID_PREFIX;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BIGINT_RE = /^[1-9]\d{0,17}$/;

/** Tables keyed by bigint identity rather than uuid. */
const BIGINT_TYPES = new Set<NodeType>(['AlertEvent', 'AlertIncident', 'Cdr', 'Notification', 'LedgerEntry']);

export function toGlobalId(type: NodeType, local: string | number): string {
  return `${ID_PREFIX[type]}_${local}`;
}

/** The local key of a global id, or undefined when it is malformed or of another type. */
export function tryFromGlobalId(type: NodeType, id: string): string | undefined {
  const prefix = ID_PREFIX[type] + '_';
  if (typeof id !== 'string' || !id.startsWith(prefix)) return undefined;
  const local = id.slice(prefix.length).toLowerCase();
  return (BIGINT_TYPES.has(type) ? BIGINT_RE : UUID_RE).test(local) ? local : undefined;
}

/** The local key of a global id; NOT_FOUND when malformed or of another type (it cannot exist). */
export function fromGlobalId(type: NodeType, id: string): string {
  const local = tryFromGlobalId(type, id);
  if (local === undefined) throw notFound(type, id);
  return local;
}

/** The type a global id names, by its prefix. */
export function typeOfGlobalId(id: string): NodeType | undefined {
  const prefix = id.split('_', 1)[0];
  return (Object.keys(ID_PREFIX) as NodeType[]).find((t) => ID_PREFIX[t] === prefix);
}

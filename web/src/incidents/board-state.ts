/**
 * The incident board's state, kept by events rather than refetches: every event of the
 * stream carries its incident as it is now, so applying it is an upsert (or a removal when
 * the incident has resolved). Applying an event twice, or an older one after a newer one,
 * leaves the same board: that is what makes the replay after a reconnect safe.
 */
import type { AlertArea, IncidentRowFragment } from '../gql/graphql';

export type Incident = IncidentRowFragment;

export interface BoardEvent {
  kind: string;
  incident: Incident | null;
}

export interface BoardState {
  incidents: ReadonlyMap<string, Incident>;
  /** Incidents that opened while the board was on screen and nobody has looked at yet. */
  fresh: ReadonlySet<string>;
}

export const EMPTY_BOARD: BoardState = { incidents: new Map(), fresh: new Set() };

export function loaded(incidents: readonly Incident[]): BoardState {
  return { incidents: new Map(incidents.map((i) => [i.id, i])), fresh: new Set() };
}

/** One incident as it is now (a mutation's answer). */
export function upsert(state: BoardState, incident: Incident): BoardState {
  return applyEvents(state, [{ kind: 'CHANGED', incident }]);
}

export function applyEvent(state: BoardState, event: BoardEvent): BoardState {
  return applyEvents(state, [event]);
}

/** A burst of events (a batch of 1,000 CDRs opens 1,000 incidents at once) as one new state. */
export function applyEvents(state: BoardState, events: readonly BoardEvent[]): BoardState {
  const incidents = new Map(state.incidents);
  const fresh = new Set(state.fresh);
  for (const { kind, incident } of events) {
    if (!incident) continue; // test events change nothing
    if (incident.status === 'RESOLVED') {
      incidents.delete(incident.id);
      fresh.delete(incident.id);
      continue;
    }
    if (kind === 'TRIGGERED' && !incidents.has(incident.id)) fresh.add(incident.id);
    // Acknowledged by anyone: it no longer needs to catch an eye.
    if (incident.status === 'ACKNOWLEDGED') fresh.delete(incident.id);
    incidents.set(incident.id, incident);
  }
  return { incidents, fresh };
}

export function markSeen(state: BoardState, id: string): BoardState {
  return state.fresh.has(id) ? { ...state, fresh: without(state.fresh, id) } : state;
}

function without(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  next.delete(id);
  return next;
}

export type Lane = 'OPEN' | 'SNOOZED' | 'ACKNOWLEDGED';

export function laneOf(i: Incident, now: number): Lane {
  if (i.status === 'ACKNOWLEDGED') return 'ACKNOWLEDGED';
  return i.snoozedUntil && Date.parse(i.snoozedUntil) > now ? 'SNOOZED' : 'OPEN';
}

const LANE_RANK: Record<Lane, number> = { OPEN: 0, SNOOZED: 1, ACKNOWLEDGED: 2 };

export interface BoardFilter {
  customer: string;
  classId: string;
  area: AlertArea | '';
}

export type Grouping = 'none' | 'customer' | 'class' | 'area';

export interface Group {
  key: string;
  label: string;
  incidents: Incident[];
}

/** Open first, then snoozed, then acknowledged; newest first within each. */
export function ordered(incidents: Iterable<Incident>, filter: BoardFilter, now: number): Incident[] {
  const needle = filter.customer.trim().toLowerCase();
  const list: Incident[] = [];
  for (const i of incidents) {
    if (needle && !i.customer.name.toLowerCase().includes(needle)) continue;
    if (filter.classId && i.customer.customerClass?.id !== filter.classId) continue;
    if (filter.area && i.definition.area !== filter.area) continue;
    list.push(i);
  }
  const rank = new Map(list.map((i) => [i.id, LANE_RANK[laneOf(i, now)]]));
  return list.sort((a, b) => rank.get(a.id)! - rank.get(b.id)! || b.openedAt.localeCompare(a.openedAt) || b.id.localeCompare(a.id));
}

export function grouped(list: readonly Incident[], by: Grouping, now: number): Group[] {
  const groups = new Map<string, Group>();
  for (const i of list) {
    const [key, label] = groupKey(i, by, now);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label, incidents: [] }));
    g.incidents.push(i);
  }
  return [...groups.values()];
}

const LANE_LABEL: Record<Lane, string> = { OPEN: 'Open', SNOOZED: 'Snoozed', ACKNOWLEDGED: 'Acknowledged' };

function groupKey(i: Incident, by: Grouping, now: number): [string, string] {
  switch (by) {
    case 'customer':
      return [`c:${i.customer.id}`, i.customer.name];
    case 'class':
      return [`k:${i.customer.customerClass?.id ?? ''}`, i.customer.customerClass?.name ?? 'No class'];
    case 'area':
      return [`a:${i.definition.area}`, i.definition.area.replace(/_/g, ' ')];
    default: {
      const lane = laneOf(i, now);
      return [`l:${lane}`, LANE_LABEL[lane]];
    }
  }
}

/** The classes present on the board, for the class filter. */
export function classesOf(incidents: Iterable<Incident>): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const i of incidents) if (i.customer.customerClass) seen.set(i.customer.customerClass.id, i.customer.customerClass.name);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

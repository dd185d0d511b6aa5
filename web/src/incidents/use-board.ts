/**
 * The live incident board: the stream's head cursor first, then the open and acknowledged
 * incidents, then the event feed from that cursor. Each event updates one row; nothing is
 * refetched per event, and a reconnect resumes the feed from the last cursor seen.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Api } from '../api/client';
import { ApiError } from '../api/client';
import { applyEvents, EMPTY_BOARD, loaded, markSeen, upsert, type BoardEvent, type BoardState, type Incident } from './board-state';
import { ALL_KINDS, BoardEvents, BoardIncidents, StreamHead } from './operations';

/** 10 pages of 500: a board beyond that is a different problem (and says so). */
const MAX_PAGES = 10;
/** Events arriving within this time render together: a burst of 1,000 is one render, not 1,000. */
const COALESCE_MS = 50;

type Action = { type: 'loaded'; incidents: Incident[] } | { type: 'events'; events: BoardEvent[] } | { type: 'upsert'; incident: Incident } | { type: 'seen'; id: string };

function reduce(state: BoardState, action: Action): BoardState {
  switch (action.type) {
    case 'loaded':
      return loaded(action.incidents);
    case 'events':
      return applyEvents(state, action.events);
    case 'upsert':
      return upsert(state, action.incident);
    case 'seen':
      return markSeen(state, action.id);
  }
}

export interface Board {
  state: BoardState;
  loading: boolean;
  error: string | null;
  truncated: boolean;
  /** A mutation's answer, applied at once (the event that follows changes nothing more). */
  apply(incident: Incident): void;
  seen(id: string): void;
}

export function useIncidentBoard(api: Api, onOpened?: (incident: Incident) => void): Board {
  const [state, dispatch] = useReducer(reduce, EMPTY_BOARD);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [truncated, setTruncated] = useState(false);
  // Read when an event arrives, so a changed callback (the sound switch) needs no new feed.
  const opened = useRef(onOpened);
  opened.current = onOpened;

  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    let pending: BoardEvent[] = [];
    let flush: ReturnType<typeof setTimeout> | undefined;
    const received = (event: BoardEvent) => {
      pending.push(event);
      flush ??= setTimeout(() => {
        flush = undefined;
        const events = pending;
        pending = [];
        dispatch({ type: 'events', events });
      }, COALESCE_MS);
    };
    (async () => {
      const { alertEventsHead: after } = await api.request(StreamHead);
      const incidents: Incident[] = [];
      let page: string | null = null;
      for (let n = 0; n < MAX_PAGES; n++) {
        const { alertIncidents }: { alertIncidents: { nodes: Incident[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } } = await api.request(BoardIncidents, { after: page });
        incidents.push(...alertIncidents.nodes);
        page = alertIncidents.pageInfo.hasNextPage ? (alertIncidents.pageInfo.endCursor ?? null) : null;
        if (!page) break;
      }
      if (cancelled) return;
      setTruncated(page !== null);
      dispatch({ type: 'loaded', incidents });
      setLoading(false);
      stop = api.subscribe(
        BoardEvents,
        { after, kinds: [...ALL_KINDS] },
        {
          next: ({ alertEvents: event }) => {
            received(event);
            if (event.kind === 'TRIGGERED' && event.incident) opened.current?.(event.incident);
          },
          error: (e) => setError(e.message),
        },
        (d) => d.alertEvents.cursor,
      );
    })().catch((e: unknown) => {
      setError(e instanceof ApiError ? e.message : 'The board could not be loaded');
      setLoading(false);
    });
    return () => {
      cancelled = true;
      clearTimeout(flush);
      stop?.();
    };
  }, [api]);

  const apply = useCallback((incident: Incident) => dispatch({ type: 'upsert', incident }), []);
  const seen = useCallback((id: string) => dispatch({ type: 'seen', id }), []);
  return { state, loading, error, truncated, apply, seen };
}

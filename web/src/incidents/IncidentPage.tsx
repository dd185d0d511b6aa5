/** One incident: its rule, its customer, notes and its events as a timeline, live. */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError } from '../api/client';
import type { IncidentPageQuery } from '../gql/graphql';
import { duration, label, money, num, remaining, when } from '../shell/format';
import { useSession } from '../shell/session';
import { useNow } from '../shell/use-now';
import type { Incident } from './board-state';
import { IncidentActions } from './incident-actions';
import { MONEY_AREAS, OPERATOR_SIGN } from './IncidentBoard';
import { ALL_KINDS, BoardEvents, IncidentPageQuery as Query } from './operations';

type Page = NonNullable<IncidentPageQuery['alertIncident']>;
type TimelineEvent = Page['events']['nodes'][number];

export function IncidentPage({ id }: { id: string }) {
  const { api } = useSession();
  const [page, setPage] = useState<Page | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1_000);

  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    api
      .request(Query, { id })
      .then(({ alertIncident }) => {
        if (cancelled) return;
        if (!alertIncident) return setError('No such incident.');
        setPage(alertIncident);
        setEvents(alertIncident.events.nodes);
        const after = alertIncident.events.nodes.at(-1)?.cursor ?? null;
        stop = api.subscribe(
          BoardEvents,
          { after, kinds: [...ALL_KINDS], customerId: alertIncident.customer.id, definitionId: alertIncident.definition.id },
          {
            next: ({ alertEvents: e }) => {
              if (e.incident?.id !== id) return;
              setEvents((list) => (list.some((x) => x.id === e.id) ? list : [...list, e]));
              // One incident's page: its notes and figures are simply read again.
              void api.request(Query, { id }).then(({ alertIncident: fresh }) => fresh && !cancelled && setPage(fresh));
            },
            error: (err) => setError(err.message),
          },
          (d) => d.alertEvents.cursor,
        );
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'The incident could not be loaded'));
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [api, id]);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!page) return <p className="muted">Loading…</p>;
  const d = page.definition;
  const value = MONEY_AREAS.has(d.area) ? money : num;
  const snoozed = page.status === 'OPEN' && page.snoozedUntil && Date.parse(page.snoozedUntil) > now;
  return (
    <article className="incident-page" data-incident-id={page.id}>
      <p>
        <Link href="/">← Incidents</Link>
      </p>
      <h2>
        {d.title} — <Link href={`/customers/${encodeURIComponent(page.customer.id)}`}>{page.customer.name}</Link>{' '}
        <span className={`badge status-${snoozed ? 'snoozed' : page.status.toLowerCase()}`} data-testid="incident-status">
          {snoozed ? 'Snoozed' : label(page.status)}
        </span>
      </h2>
      {page.status !== 'RESOLVED' && <IncidentActions incident={page} onChanged={(i: Incident) => setPage((p) => (p ? { ...p, ...i, definition: p.definition, customer: p.customer } : p))} />}
      <div className="cards">
        <dl className="card">
          <dt>Opened</dt>
          <dd>{when(page.openedAt)}</dd>
          <dt>Value at opening / now</dt>
          <dd>
            {value(page.openedValue)} / {value(page.lastValue)}
          </dd>
          <dt>Acknowledged</dt>
          <dd>{page.acknowledgedAt ? `${when(page.acknowledgedAt)} by ${page.acknowledgedBy ?? '?'}` : '—'}</dd>
          <dt>Assignee</dt>
          <dd>{page.assignee ?? '—'}</dd>
          <dt>Snoozed until</dt>
          <dd>{snoozed && page.snoozedUntil ? `${when(page.snoozedUntil)} (${remaining(page.snoozedUntil, now)})` : '—'}</dd>
          <dt>Resolved</dt>
          <dd>{when(page.resolvedAt)}</dd>
        </dl>
        <dl className="card">
          <dt>Rule</dt>
          <dd>
            {label(d.area)} {OPERATOR_SIGN[d.operator]} {value(d.threshold)}
            {d.resetThreshold && ` (resets at ${value(d.resetThreshold)})`}
          </dd>
          <dt>Window</dt>
          <dd>{d.samplePeriod ? `${duration(d.samplePeriod)}, at least ${d.minCalls} calls` : '—'}</dd>
          <dt>Repeats</dt>
          <dd>{d.repeatInterval ? `every ${duration(d.repeatInterval)}` : 'no'}</dd>
          <dt>Penalty</dt>
          <dd>{d.penalty ? `${duration(d.penalty)} suspension` : 'none'}</dd>
        </dl>
        <dl className="card">
          <dt>Customer</dt>
          <dd>
            {page.customer.name} ({label(page.customer.status)})
          </dd>
          <dt>Balance</dt>
          <dd>{money(page.customer.balance)}</dd>
          <dt>Available credit</dt>
          <dd>{money(page.customer.availableCredit)}</dd>
        </dl>
      </div>
      <h3>Notes</h3>
      {page.notes.length === 0 ? (
        <p className="muted">No notes.</p>
      ) : (
        <ul className="notes">
          {page.notes.map((n, k) => (
            <li key={k}>
              <strong>{n.author}</strong> <span className="muted small">{when(n.createdAt)}</span>
              <p>{n.text}</p>
            </li>
          ))}
        </ul>
      )}
      <h3>Timeline</h3>
      <ol className="timeline" aria-label="Timeline">
        {events.map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <span className="muted small">{when(e.occurredAt)}</span> <strong>{label(e.kind)}</strong>
            {e.actor && <> by {e.actor}</>} {['TRIGGERED', 'REPEATED', 'RESOLVED'].includes(e.kind) && <>— {value(e.value)}</>}
            {e.note && <div className="small">“{e.note}”</div>}
          </li>
        ))}
      </ol>
    </article>
  );
}

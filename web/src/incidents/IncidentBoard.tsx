/**
 * The incident board: open, snoozed and acknowledged incidents, live. Rows are memoised by
 * incident object: an event replaces one incident, so one row renders again, not 1,000.
 */
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { AlertArea } from '../gql/graphql';
import { areaValue, label, OPERATOR_SIGN, remaining, when } from '../shell/format';
import { useSession } from '../shell/session';
import { useNow } from '../shell/use-now';
import { classesOf, grouped, laneOf, ordered, type BoardFilter, type Grouping, type Incident } from './board-state';
import { ApiError } from '../api/client';
import { IncidentActions, RowActions, type Action } from './incident-actions';
import { AcknowledgeIncident } from './operations';
import { chime } from './chime';
import { useIncidentBoard } from './use-board';

const AREAS: AlertArea[] = ['ACCRUED_CHARGES', 'ACD', 'ASR', 'AVAILABLE_CREDIT', 'BALANCE', 'CALL_COUNT', 'CALL_DURATION', 'SPEND'];

export function IncidentBoard() {
  const { api } = useSession();
  const [sound, setSound] = useState(false);
  const board = useIncidentBoard(api, sound ? chime : undefined);
  const [filter, setFilter] = useState<BoardFilter>({ customer: '', classId: '', area: '' });
  const [grouping, setGrouping] = useState<Grouping>('none');
  const now = useNow(15_000);
  const [editing, setEditing] = useState<{ id: string; action: Action } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { apply } = board;
  const acknowledge = useCallback(
    (id: string) => {
      setActionError(null);
      api
        .request(AcknowledgeIncident, { id })
        .then((r) => apply(r.acknowledgeIncident))
        .catch((e: unknown) => setActionError(e instanceof ApiError ? e.message : 'The acknowledgement failed'));
    },
    [api, apply],
  );
  const edit = useCallback((id: string, action: Action) => setEditing({ id, action }), []);
  const closeEdit = useCallback(() => setEditing(null), []);

  const { incidents, fresh } = board.state;
  const list = useMemo(() => ordered(incidents.values(), filter, now), [incidents, filter, now]);
  const groups = useMemo(() => grouped(list, grouping, now), [list, grouping, now]);
  const classes = useMemo(() => classesOf(incidents.values()), [incidents]);
  const openCount = useMemo(() => list.filter((i) => laneOf(i, now) === 'OPEN').length, [list, now]);

  // The tab's title counts new incidents: seen from another tab or a wallboard's title bar.
  useEffect(() => {
    document.title = fresh.size ? `(${fresh.size} new) Lineguard NOC` : 'Lineguard NOC';
  }, [fresh.size]);
  useEffect(() => () => void (document.title = 'Lineguard NOC'), []);

  if (board.loading) return <p className="muted">Loading incidents…</p>;
  return (
    <section aria-label="Incident board">
      <header className="toolbar">
        <h2>
          Incidents <span className="count" data-testid="open-count">{openCount} open</span>
          {fresh.size > 0 && (
            <span className="badge fresh-badge" data-testid="new-count">
              {fresh.size} new
            </span>
          )}
        </h2>
        <input aria-label="Filter by customer" placeholder="Customer" value={filter.customer} onChange={(e) => setFilter({ ...filter, customer: e.target.value })} />
        <select aria-label="Filter by class" value={filter.classId} onChange={(e) => setFilter({ ...filter, classId: e.target.value })}>
          <option value="">All classes</option>
          {classes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label="Filter by area" value={filter.area} onChange={(e) => setFilter({ ...filter, area: e.target.value as AlertArea | '' })}>
          <option value="">All areas</option>
          {AREAS.map((a) => (
            <option key={a} value={a}>
              {label(a)}
            </option>
          ))}
        </select>
        <select aria-label="Group by" value={grouping} onChange={(e) => setGrouping(e.target.value as Grouping)}>
          <option value="none">Group by status</option>
          <option value="customer">Group by customer</option>
          <option value="class">Group by class</option>
          <option value="area">Group by area</option>
        </select>
        <label className="switch">
          <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} /> Sound
        </label>
      </header>
      {actionError && (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}
      {board.error && (
        <p role="alert" className="error">
          {board.error}
        </p>
      )}
      {board.truncated && <p className="warning">More than 5,000 incidents are open: the oldest are not shown. Filter the board, or resolve the cause.</p>}
      {list.length === 0 && <p className="empty">No open incidents.</p>}
      {groups.map((g) => (
        <div key={g.key} className="group">
          <h3>
            {g.label} <span className="muted">({g.incidents.length})</span>
          </h3>
          <table className="board">
            <colgroup>
              <col className="c-status" />
              <col className="c-customer" />
              <col className="c-rule" />
              <col className="c-value" />
              <col className="c-opened" />
              <col className="c-owner" />
              <col />
            </colgroup>
            <thead>
              <tr>
                <th>Status</th>
                <th>Customer</th>
                <th>Rule</th>
                <th className="num">Value</th>
                <th>Opened</th>
                <th>Owner</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {g.incidents.map((i) => (
                <IncidentRow
                  key={i.id}
                  incident={i}
                  fresh={fresh.has(i.id)}
                  now={laneOf(i, now) === 'SNOOZED' ? now : 0}
                  editing={editing?.id === i.id ? editing.action : null}
                  onChanged={board.apply}
                  onSeen={board.seen}
                  onAcknowledge={acknowledge}
                  onEdit={edit}
                  onCloseEdit={closeEdit}
                />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

interface RowProps {
  incident: Incident;
  fresh: boolean;
  /** Only snoozed rows get the time (their countdown); 0 keeps other rows from rendering on each tick. */
  now: number;
  /** The action whose form is open in this row, if any. */
  editing: Action | null;
  onChanged(incident: Incident): void;
  onSeen(id: string): void;
  onAcknowledge(id: string): void;
  onEdit(id: string, action: Action): void;
  onCloseEdit(): void;
}

const IncidentRow = memo(function IncidentRow({ incident: i, fresh, now, editing, onChanged, onSeen, onAcknowledge, onEdit, onCloseEdit }: RowProps) {
  const seen = useCallback(() => onSeen(i.id), [onSeen, i.id]);
  const lane = now ? 'SNOOZED' : i.status === 'ACKNOWLEDGED' ? 'ACKNOWLEDGED' : 'OPEN';
  const value = (v: string) => areaValue(i.definition.area, v);
  return (
    <tr className={`incident lane-${lane.toLowerCase()}${fresh ? ' fresh' : ''}`} data-incident-id={i.id} data-status={lane} onClick={fresh ? seen : undefined}>
      <td>
        <span className={`badge status-${lane.toLowerCase()}`}>{label(lane)}</span>
        {fresh && <span className="badge new">New</span>}
      </td>
      <td>
        <Link href={`/customers/${encodeURIComponent(i.customer.id)}`}>{i.customer.name}</Link>
        {i.customer.customerClass && <div className="muted small">{i.customer.customerClass.name}</div>}
      </td>
      <td>
        <Link href={`/incidents/${encodeURIComponent(i.id)}`}>{i.definition.title}</Link>
        <div className="muted small">{label(i.definition.area)}</div>
      </td>
      <td className="num">
        {value(i.lastValue)} <span className="muted small">{`${OPERATOR_SIGN[i.definition.operator]} ${value(i.definition.threshold)}`}</span>
      </td>
      <td title={i.openedAt}>{when(i.openedAt)}</td>
      <td className="small">
        {i.assignee && <div>→ {i.assignee}</div>}
        {i.acknowledgedBy && <div className="muted">ack {i.acknowledgedBy}</div>}
        {lane === 'SNOOZED' && i.snoozedUntil && <div className="muted">snoozed {remaining(i.snoozedUntil, now)}</div>}
      </td>
      <td>
        {editing ? <IncidentActions incident={i} onChanged={onChanged} initial={editing} onClose={onCloseEdit} /> : <RowActions incident={i} onAcknowledge={onAcknowledge} onEdit={onEdit} />}
      </td>
    </tr>
  );
});

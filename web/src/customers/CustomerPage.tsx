/**
 * One customer: balance and credit (live), penalty, traffic over a window, alert states,
 * open incidents (operators), trunks and hosts, and the ledger as it grows.
 */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError } from '../api/client';
import type { CustomerPageQuery, CustomerStaffQuery, LedgerLineFragment } from '../gql/graphql';
import { areaValue, label, money, num, OPERATOR_SIGN, remaining, when } from '../shell/format';
import { useSession } from '../shell/session';
import { useNow } from '../shell/use-now';
import { LiftPenaltyButton } from './LiftPenaltyButton';
import { CustomerPageQuery as Query, CustomerStaffQuery as StaffQuery, LedgerFeed, LedgerFeedStaff, StatusFeed } from './operations';

type Customer = NonNullable<CustomerPageQuery['customer']>;
type Entry = LedgerLineFragment & { actor?: string | null };
type Incidents = CustomerStaffQuery['alertIncidents']['nodes'];

const WINDOWS = [15, 60, 240, 1440];
const LEDGER_SHOWN = 50;
/** Traffic figures are a window over time: read again every 30 s. */
const STATS_EVERY_MS = 30_000;

export function CustomerPage({ id }: { id: string }) {
  const { api, operator } = useSession();
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [incidents, setIncidents] = useState<Incidents | null>(null);
  const [ledger, setLedger] = useState<Entry[]>([]);
  const [minutes, setMinutes] = useState(60);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1_000);

  useEffect(() => {
    let cancelled = false;
    let stops: (() => void)[] = [];
    const load = async () => {
      const [{ customer: c }, staff] = await Promise.all([api.request(Query, { id, minutes }), operator ? api.request(StaffQuery, { id }) : null]);
      if (cancelled) return null;
      if (!c) {
        setError('No such customer, or not visible to this key.');
        return null;
      }
      setCustomer(c);
      if (staff) setIncidents(staff.alertIncidents.nodes);
      const actors = new Map(staff?.customer?.ledger.nodes.map((e) => [e.id, e.actor]) ?? []);
      setLedger(c.ledger.nodes.map((e) => ({ ...e, actor: actors.get(e.id) ?? null })));
      return c;
    };
    load()
      .then((c) => {
        if (!c || cancelled) return;
        const handlers = {
          next: ({ ledgerEntryAdded: e }: { ledgerEntryAdded: Entry & { customer: Partial<Customer> } }) => {
            setLedger((list) => (list.some((x) => x.id === e.id) ? list : [e, ...list].slice(0, LEDGER_SHOWN)));
            setCustomer((p) => (p ? { ...p, ...e.customer } : p));
          },
          error: (err: ApiError) => setError(err.message),
        };
        const variables = { after: c.ledger.nodes[0]?.cursor ?? null, customerId: c.id };
        const cursorOf = (d: { ledgerEntryAdded: { cursor: string } }) => d.ledgerEntryAdded.cursor;
        stops = [
          operator ? api.subscribe(LedgerFeedStaff, variables, handlers, cursorOf) : api.subscribe(LedgerFeed, variables, handlers, cursorOf),
          api.subscribe(StatusFeed, { customerId: c.id }, { next: ({ customerStatusChanged: s }) => setCustomer((p) => (p ? { ...p, ...s } : p)) }),
        ];
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'The customer could not be loaded'));
    const reload = () => void load().catch(() => undefined);
    const refresh = setInterval(reload, STATS_EVERY_MS);
    const offReconnect = api.connection.onReconnect(reload);
    return () => {
      cancelled = true;
      clearInterval(refresh);
      offReconnect();
      for (const stop of stops) stop();
    };
  }, [api, id, operator, minutes]);

  if (error) return <p role="alert" className="error">{error}</p>;
  const c = customer;
  if (!c) return <p className="muted">Loading…</p>;
  const s = c.callStats;
  return (
    <article className="customer-page" data-customer-id={c.id}>
      {operator && (
        <p>
          <Link href="/customers">← Customers</Link>
        </p>
      )}
      <h2>
        {c.name} <span className={`badge status-${c.status.toLowerCase()}`} data-testid="customer-status">{label(c.status)}</span>
        {c.status === 'SUSPENDED' && c.suspendedUntil && <span className="muted small"> penalty ends in {remaining(c.suspendedUntil, now)}</span>}
        {c.status === 'SUSPENDED' && operator && <LiftPenaltyButton customerId={c.id} />}
      </h2>
      <div className="cards">
        <dl className="card">
          <dt>Available credit</dt>
          <dd className="stat" data-testid="available-credit">{money(c.availableCredit)}</dd>
          <dt>Balance</dt>
          <dd data-testid="balance">{money(c.balance)}</dd>
          <dt>Credit limit</dt>
          <dd>{money(c.creditLimit)}</dd>
          <dt>Accrued charges</dt>
          <dd>{money(c.accruedCharges)}</dd>
          <dt>Account</dt>
          <dd>
            {label(c.type)}, {label(c.terms)}
            {c.customerClass && `, ${c.customerClass.name}`}
          </dd>
          <dt>Limits</dt>
          <dd>
            {c.callLimit ?? '∞'} calls, {c.cpsLimit ?? '∞'} CPS
          </dd>
        </dl>
        <dl className="card" data-testid="call-stats">
          <dt>Traffic over</dt>
          <dd>
            <select aria-label="Window" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
              {WINDOWS.map((m) => (
                <option key={m} value={m}>
                  {m < 60 ? `${m} min` : `${m / 60} h`}
                </option>
              ))}
            </select>
          </dd>
          <dt>Calls</dt>
          <dd data-testid="calls">{s.calls}</dd>
          <dt>Answered</dt>
          <dd>{s.answered}</dd>
          <dt>ASR</dt>
          <dd data-testid="asr">{s.asr === null || s.asr === undefined ? '—' : `${num(s.asr)} %`}</dd>
          <dt>ACD</dt>
          <dd>{s.acd === null || s.acd === undefined ? '—' : `${num(s.acd)} s`}</dd>
          <dt>Spend</dt>
          <dd>{money(s.spend)}</dd>
        </dl>
      </div>

      {operator && incidents && (
        <>
          <h3>Open incidents ({incidents.length})</h3>
          {incidents.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {incidents.map((i) => (
                <li key={i.id}>
                  <Link href={`/incidents/${encodeURIComponent(i.id)}`}>{i.definition.title}</Link> — {label(i.status)} since {when(i.openedAt)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}

      <h3>Alert rules</h3>
      <table>
        <thead>
          <tr>
            <th>Rule</th>
            <th>State</th>
            <th className="num">Value</th>
            <th>Since</th>
            <th>Last notified</th>
          </tr>
        </thead>
        <tbody>
          {c.alertStates.map((a) => {
            const v = (x: string | null | undefined) => areaValue(a.definition.area, x);
            return (
              <tr key={a.definition.id}>
                <td>
                  {a.definition.title} <span className="muted small">{`${label(a.definition.area)} ${OPERATOR_SIGN[a.definition.operator]} ${v(a.definition.threshold)}`}</span>
                </td>
                <td>{a.triggered ? <span className="badge status-open">Triggered</span> : <span className="muted">ok</span>}</td>
                <td className="num">{v(a.value)}</td>
                <td>{when(a.since)}</td>
                <td>{when(a.lastNotifiedAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h3>
        Trunks ({c.trunkCount}
        {c.trunkCount > c.trunks.length && `, first ${c.trunks.length} shown`})
      </h3>
      <table>
        <thead>
          <tr>
            <th>Trunk</th>
            <th>Direction</th>
            <th>Limits</th>
            <th>Hosts</th>
          </tr>
        </thead>
        <tbody>
          {c.trunks.map((t) => (
            <tr key={t.id}>
              <td>
                {t.name} {!t.enabled && <span className="muted small">disabled</span>}
              </td>
              <td>{label(t.direction)}</td>
              <td>
                {t.callLimit ?? '∞'} calls, {t.cpsLimit ?? '∞'} CPS
              </td>
              <td className="small">{t.hosts.map((h) => `${h.ip}${h.port ? `:${h.port}` : ''}${h.enabled ? '' : ' (off)'}`).join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Ledger</h3>
      <table data-testid="ledger">
        <thead>
          <tr>
            <th>When</th>
            <th>Reason</th>
            <th className="num">Change</th>
            <th className="num">Balance</th>
            <th>Reference</th>
            {operator && <th>By</th>}
          </tr>
        </thead>
        <tbody>
          {ledger.map((e) => (
            <tr key={e.id}>
              <td>{when(e.occurredAt)}</td>
              <td>
                {label(e.reason)}
                {e.cdrCount ? <span className="muted small"> ({e.cdrCount} calls)</span> : null}
              </td>
              <td className="num">{money(e.delta)}</td>
              <td className="num">{money(e.balance)}</td>
              <td className="small">{e.reference ?? ''}</td>
              {operator && <td className="small">{e.actor ?? ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

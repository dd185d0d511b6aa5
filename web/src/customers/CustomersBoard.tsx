/**
 * Customers by available credit, lowest first, with suspended customers and their penalty
 * time above. Balances move with the ledger feed (resumed by cursor after a reconnect);
 * statuses move with customerStatusChanged, which has no cursor, so the board reads itself
 * again after a reconnect.
 */
import { memo, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { ApiError } from '../api/client';
import type { CustomerRowFragment } from '../gql/graphql';
import { label, money, remaining } from '../shell/format';
import { useSession } from '../shell/session';
import { useNow } from '../shell/use-now';
import { byAvailableCredit, EMPTY_CUSTOMERS, seen as seenCustomer, type CustomersState } from './customers-state';
import { CustomersBoardQuery, LedgerFeed, LedgerHead, StatusFeed } from './operations';
import { LiftPenaltyButton } from './LiftPenaltyButton';

const SHOWN = 100;

export function CustomersBoard() {
  const { api, operator } = useSession();
  const [search, setSearch] = useState('');
  const [state, setState] = useState<CustomersState>(EMPTY_CUSTOMERS);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const now = useNow(1_000);

  useEffect(() => {
    let cancelled = false;
    const term = search.trim() || null;
    const load = () =>
      api
        .request(CustomersBoardQuery, { first: SHOWN, search: term })
        .then((r) => {
          if (cancelled) return;
          setState(() => {
            let s = EMPTY_CUSTOMERS;
            for (const c of [...r.lowest.nodes, ...r.suspended.nodes]) s = seenCustomer(s, c, false);
            return s;
          });
          setLoading(false);
        })
        .catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'The customers could not be loaded'));
    let stops: (() => void)[] = [];
    (async () => {
      const head = await api.request(LedgerHead, {});
      await load();
      if (cancelled) return;
      const matches = (c: CustomerRowFragment) => !term || c.name.toLowerCase().includes(term.toLowerCase());
      stops = [
        api.subscribe(
          LedgerFeed,
          { after: head.ledgerEntries.edges[0]?.cursor ?? null },
          { next: ({ ledgerEntryAdded: e }) => matches(e.customer) && setState((s) => seenCustomer(s, e.customer, true)), error: (e) => setError(e.message) },
          (d) => d.ledgerEntryAdded.cursor,
        ),
        api.subscribe(StatusFeed, {}, { next: ({ customerStatusChanged: c }) => matches(c) && setState((s) => seenCustomer(s, c, true)), error: (e) => setError(e.message) }),
      ];
    })().catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'The live feed could not start'));
    const offReconnect = api.connection.onReconnect(() => void load());
    return () => {
      cancelled = true;
      offReconnect();
      for (const stop of stops) stop();
    };
  }, [api, search]);

  const lowest = useMemo(() => byAvailableCredit(state.customers.values()).slice(0, SHOWN), [state]);
  const suspended = useMemo(() => byAvailableCredit(state.customers.values()).filter((c) => c.status === 'SUSPENDED'), [state]);

  return (
    <section aria-label="Customers board">
      <header className="toolbar">
        <h2>Customers</h2>
        <input aria-label="Search customers" placeholder="Search name, company…" value={search} onChange={(e) => setSearch(e.target.value)} />
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {loading ? (
        <p className="muted">Loading customers…</p>
      ) : (
        <>
          <h3>Suspended ({suspended.length})</h3>
          {suspended.length === 0 ? (
            <p className="muted">No customer is suspended.</p>
          ) : (
            <CustomerTable customers={suspended} state={state} now={now} operator={operator} penalties />
          )}
          <h3>Lowest available credit</h3>
          <CustomerTable customers={lowest} state={state} now={0} operator={operator} />
        </>
      )}
    </section>
  );
}

function CustomerTable({ customers, state, now, operator, penalties }: { customers: CustomerRowFragment[]; state: CustomersState; now: number; operator: boolean; penalties?: boolean }) {
  return (
    <table className="customers" data-testid={penalties ? 'suspended-table' : 'customers-table'}>
      <thead>
        <tr>
          <th>Customer</th>
          <th>Class</th>
          <th>Status</th>
          <th className="num">Available credit</th>
          <th className="num">Balance</th>
          <th className="num">Credit limit</th>
          <th className="num">Accrued</th>
          {penalties && <th>Penalty ends</th>}
          {penalties && operator && <th />}
        </tr>
      </thead>
      <tbody>
        {customers.map((c) => (
          <CustomerLine key={c.id} c={c} version={state.versions.get(c.id) ?? 0} now={penalties ? now : 0} penalties={!!penalties} operator={operator} />
        ))}
      </tbody>
    </table>
  );
}

const CustomerLine = memo(function CustomerLine({ c, version, now, penalties, operator }: { c: CustomerRowFragment; version: number; now: number; penalties: boolean; operator: boolean }) {
  return (
    <tr data-customer-id={c.id} data-status={c.status}>
      <td>
        <Link href={`/customers/${encodeURIComponent(c.id)}`}>{c.name}</Link> <span className="muted small">{label(c.type)}</span>
      </td>
      <td className="muted">{c.customerClass?.name ?? '—'}</td>
      <td>
        <span className={`badge status-${c.status.toLowerCase()}`}>{label(c.status)}</span>
      </td>
      <td className="num">
        {/* The key restarts the highlight each time the live feed moves this customer. */}
        <span key={version} className={version ? 'moved' : ''} data-testid="available-credit">
          {money(c.availableCredit)}
        </span>
      </td>
      <td className="num" data-testid="balance">
        {money(c.balance)}
      </td>
      <td className="num">{money(c.creditLimit)}</td>
      <td className="num">{money(c.accruedCharges)}</td>
      {penalties && <td>{c.suspendedUntil ? `${remaining(c.suspendedUntil, now)} left` : 'until lifted'}</td>}
      {penalties && operator && (
        <td>
          <LiftPenaltyButton customerId={c.id} />
        </td>
      )}
    </tr>
  );
});

/**
 * Routes. The explorer is its own lazily loaded chunk (GraphiQL and its editor are most of
 * the console's bytes); the boards never download it.
 */
import { lazy, Suspense } from 'react';
import { Link, Redirect, Route, Switch, useRoute } from 'wouter';
import { CustomerPage } from '../customers/CustomerPage';
import { CustomersBoard } from '../customers/CustomersBoard';
import { IncidentBoard } from '../incidents/IncidentBoard';
import { IncidentPage } from '../incidents/IncidentPage';
import { ConnectionBadge } from './ConnectionBadge';
import { SessionGate, useSession } from './session';

const Explorer = lazy(() => import('../explorer/Explorer'));

export function App() {
  const [explorer] = useRoute('/explorer');
  if (explorer)
    return (
      <Suspense fallback={<p className="centered muted">Loading the explorer…</p>}>
        <Explorer />
      </Suspense>
    );
  return (
    <SessionGate>
      <Console />
    </SessionGate>
  );
}

function Console() {
  const { me, operator, signOut } = useSession();
  const own = me.customer;
  return (
    <div className="console">
      <nav className="topbar">
        <strong className="brand">Lineguard</strong>
        {operator && (
          <>
            <Link href="/" className={(active) => (active ? 'active' : '')}>
              Incidents
            </Link>
            <Link href="/customers" className={(active) => (active ? 'active' : '')}>
              Customers
            </Link>
          </>
        )}
        {own && <Link href={`/customers/${encodeURIComponent(own.id)}`}>{own.name}</Link>}
        <a href="/explorer">Explorer</a>
        <span className="spacer" />
        <ConnectionBadge />
        <span className="who" data-testid="who">
          {me.apiKey?.name ?? 'key'} · {me.role}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </nav>
      <main>
        <Switch>
          {operator && <Route path="/" component={IncidentBoard} />}
          {operator && <Route path="/incidents/:id">{(p) => <IncidentPage id={decodeURIComponent(p.id)} />}</Route>}
          {operator && <Route path="/customers" component={CustomersBoard} />}
          <Route path="/customers/:id">{(p) => <CustomerPage id={decodeURIComponent(p.id)} />}</Route>
          {own && <Redirect to={`/customers/${encodeURIComponent(own.id)}`} />}
          {me.role === 'INGEST' && (
            <Route>
              <p className="notice" role="status">
                This is an INGEST key: it submits CDRs from a switch and has nothing to show here. Sign in with a NOC, ADMIN or CUSTOMER key.
              </p>
            </Route>
          )}
          <Route>
            <p className="notice">Nothing here.</p>
          </Route>
        </Switch>
      </main>
    </div>
  );
}

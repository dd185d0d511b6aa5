/**
 * The GraphQL explorer: GraphiQL, bundled (its Monaco editor and workers included), so it
 * works on a NOC network without internet. It uses the key typed here, which starts as the
 * tab's signed-in key; the key is sent as a header, never stored by GraphiQL.
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { useMemo, useState, type FormEvent } from 'react';
import { storedKey } from '../shell/session';

const FIRST_QUERY = `# Who am I? Then explore the schema in the docs panel.
{
  me {
    role
  }
}
`;

function fetcherFor(key: string) {
  const origin = window.location.origin;
  const authorization = `Bearer ${key}`;
  return createGraphiQLFetcher({
    url: `${origin}/graphql`,
    headers: { authorization },
    wsClient: createClient({ url: `${origin.replace(/^http/, 'ws')}/graphql`, connectionParams: { authorization }, lazy: true }),
  });
}

export default function Explorer() {
  const [draft, setDraft] = useState(storedKey);
  const [key, setKey] = useState(storedKey);
  const fetcher = useMemo(() => (key ? fetcherFor(key) : null), [key]);
  const use = (e: FormEvent) => {
    e.preventDefault();
    setKey(draft.trim());
  };
  return (
    <div className="explorer">
      <form className="explorer-bar" onSubmit={use} aria-label="Explorer key">
        <a href="/">← Console</a>
        <label>
          API key <input name="explorerKey" type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <button type="submit">Use key</button>
        <span className="muted small">Schema introspection is open to the roles the server allows (ADMIN and NOC in production).</span>
      </form>
      <div className="explorer-body">
        {fetcher ? (
          <GraphiQL key={key} fetcher={fetcher} initialQuery={FIRST_QUERY} defaultEditorToolsVisibility={false} />
        ) : (
          <p className="centered muted">Enter an API key to explore the API.</p>
        )}
      </div>
    </div>
  );
}

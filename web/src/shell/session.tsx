/**
 * Sign-in with an API key. The key is kept in sessionStorage: it lives as long as the tab
 * and is never written where another tab or a later visitor could read it.
 */
import { createContext, useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Api, ApiError } from '../api/client';
import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';

const KEY_STORAGE = 'lineguard.apiKey';

const Me = graphql(`
  query Me {
    me {
      role
      apiKey {
        name
      }
      customer {
        id
        name
      }
    }
  }
`);

export type Me = MeQuery['me'];

export interface Session {
  api: Api;
  me: Me;
  /** ADMIN or NOC: may see and act on incidents. */
  operator: boolean;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** The key of this tab's session, if signed in (the explorer starts with it). */
export function storedKey(): string {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function describeSignInError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'UNAUTHENTICATED') return 'This API key is not valid: it is unknown or has been revoked. Check it with whoever issued it.';
    if (e.code === 'NETWORK') return 'The Lineguard server cannot be reached. Check the network, then try again.';
    if (e.code === 'TOO_MANY_REQUESTS') return 'Too many attempts: wait a moment and try again.';
    return e.message;
  }
  return 'Sign-in failed.';
}

async function open(key: string): Promise<{ api: Api; me: Me }> {
  const api = new Api(key);
  const { me } = await api.request(Me);
  api.connect();
  return { api, me };
}

export function SessionGate({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<{ api: Api; me: Me } | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== '');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    open(key)
      .then(setSession)
      .catch((e: unknown) => {
        sessionStorage.removeItem(KEY_STORAGE);
        setError(describeSignInError(e));
      })
      .finally(() => setRestoring(false));
  }, []);

  const signIn = async (key: string) => {
    setError(null);
    try {
      const opened = await open(key);
      sessionStorage.setItem(KEY_STORAGE, key);
      setSession(opened);
    } catch (e) {
      setError(describeSignInError(e));
    }
  };

  if (restoring) return <p className="centered muted">Signing in…</p>;
  if (!session) return <SignIn onSubmit={signIn} error={error} />;
  const value: Session = {
    ...session,
    operator: session.me.role === 'ADMIN' || session.me.role === 'NOC',
    signOut: () => {
      sessionStorage.removeItem(KEY_STORAGE);
      session.api.close();
      setSession(null);
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

function SignIn({ onSubmit, error }: { onSubmit(key: string): Promise<void>; error: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return;
    setBusy(true);
    await onSubmit(key.trim());
    setBusy(false);
  };
  return (
    <main className="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Lineguard NOC</h1>
        <p className="muted">Sign in with your API key. It is kept for this tab only.</p>
        <label>
          API key
          <input name="apiKey" type="password" autoComplete="off" autoFocus value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p className="muted small">
          <a href="/explorer">GraphQL explorer</a>
        </p>
      </form>
    </main>
  );
}

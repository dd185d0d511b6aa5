/** The live connection, always on screen: live, connecting, or reconnecting for how long. */
import { useSyncExternalStore } from 'react';
import { useSession } from './session';
import { useNow } from './use-now';

export function ConnectionBadge() {
  const { api } = useSession();
  const c = useSyncExternalStore(api.connection.listen, () => api.connection.current);
  const now = useNow(1_000);
  const secs = Math.max(0, Math.round((now - c.since) / 1000));
  const text = c.status === 'live' ? 'Live' : c.status === 'connecting' ? 'Connecting…' : `Reconnecting… (${secs}s)`;
  return (
    <span className={`conn conn-${c.status}`} role="status" aria-live="polite" data-testid="connection" data-status={c.status} title={c.lastReason ?? `${c.reconnects} reconnects`}>
      <span className="dot" /> {text}
    </span>
  );
}

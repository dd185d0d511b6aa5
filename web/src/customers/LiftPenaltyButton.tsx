import { useState } from 'react';
import { ApiError } from '../api/client';
import { useSession } from '../shell/session';
import { LiftPenalty } from './operations';

/** Ends a penalty now (NOC and ADMIN): the customer is ACTIVE again, recorded with the note. */
export function LiftPenaltyButton({ customerId }: { customerId: string }) {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lift = async () => {
    const note = window.prompt('Lift the penalty now? Note for the record (optional):');
    if (note === null) return;
    setBusy(true);
    setError(null);
    try {
      await api.request(LiftPenalty, { customerId, note: note.trim() || null });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not lift the penalty');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void lift()}>
        Lift penalty
      </button>
      {error && <span className="error small"> {error}</span>}
    </>
  );
}

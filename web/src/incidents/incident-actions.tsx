/**
 * Acknowledge, assign, snooze and comment: one small form per action, shared by the board's
 * rows and the incident page. Each answers with the incident as it is now.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useSession } from '../shell/session';
import type { Incident } from './board-state';
import { AcknowledgeIncident, AssignIncident, CommentOnIncident, SnoozeIncident } from './operations';

export type Action = 'assign' | 'snooze' | 'comment';

const SNOOZE_CHOICES: [string, number][] = [
  ['15 min', 15],
  ['1 hour', 60],
  ['4 hours', 240],
  ['24 hours', 1440],
];

export function IncidentActions({ incident, onChanged, initial = null, onClose }: { incident: Incident; onChanged(incident: Incident): void; initial?: Action | null; onClose?(): void }) {
  const { api } = useSession();
  const [open, setOpenState] = useState<Action | null>(initial);
  const setOpen = (action: Action | null) => {
    setOpenState(action);
    if (!action) onClose?.();
  };
  const [text, setText] = useState(initial === 'assign' ? (incident.assignee ?? '') : '');
  const [minutes, setMinutes] = useState(60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (work: () => Promise<Incident>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await work());
      setText('');
      setOpen(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The action failed');
    } finally {
      setBusy(false);
    }
  };

  const acknowledge = () => run(async () => (await api.request(AcknowledgeIncident, { id: incident.id })).acknowledgeIncident);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (open === 'assign') void run(async () => (await api.request(AssignIncident, { id: incident.id, assignee: text.trim() || null })).assignIncident);
    if (open === 'comment' && text.trim()) void run(async () => (await api.request(CommentOnIncident, { id: incident.id, text: text.trim() })).commentOnIncident);
    if (open === 'snooze') {
      const until = new Date(Date.now() + minutes * 60_000).toISOString();
      void run(async () => (await api.request(SnoozeIncident, { id: incident.id, until, note: text.trim() || null })).snoozeIncident);
    }
  };

  const toggle = (action: Action) => {
    setOpen(open === action ? null : action);
    setText(action === 'assign' ? (incident.assignee ?? '') : '');
    setError(null);
  };

  return (
    <div className="actions">
      {incident.status === 'OPEN' && (
        <button type="button" className="primary" disabled={busy} onClick={() => void acknowledge()}>
          Acknowledge
        </button>
      )}
      <button type="button" disabled={busy} aria-pressed={open === 'assign'} onClick={() => toggle('assign')}>
        Assign
      </button>
      {incident.status === 'OPEN' && (
        <button type="button" disabled={busy} aria-pressed={open === 'snooze'} onClick={() => toggle('snooze')}>
          Snooze
        </button>
      )}
      <button type="button" disabled={busy} aria-pressed={open === 'comment'} onClick={() => toggle('comment')}>
        Comment
      </button>
      {open && (
        <form className="action-form" onSubmit={submit}>
          {open === 'snooze' && (
            <select aria-label="Snooze for" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
              {SNOOZE_CHOICES.map(([text, m]) => (
                <option key={m} value={m}>
                  {text}
                </option>
              ))}
            </select>
          )}
          <input
            autoFocus
            aria-label={open === 'assign' ? 'Assignee' : open === 'comment' ? 'Comment' : 'Note'}
            placeholder={open === 'assign' ? 'Assignee (empty: unassign)' : open === 'comment' ? 'Comment' : 'Note (optional)'}
            value={text}
            maxLength={2000}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" disabled={busy || (open === 'comment' && !text.trim())}>
            {open === 'assign' ? 'Save' : open === 'comment' ? 'Add' : 'Snooze'}
          </button>
        </form>
      )}
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The board's rows: plain buttons, no state of their own (1,000 rows stay cheap to render).
 * Choosing assign, snooze or comment opens the full IncidentActions in that row only.
 */
export function RowActions({ incident, onAcknowledge, onEdit }: { incident: Incident; onAcknowledge(id: string): void; onEdit(id: string, action: Action): void }) {
  return (
    <div className="actions">
      {incident.status === 'OPEN' && (
        <button type="button" className="primary" onClick={() => onAcknowledge(incident.id)}>
          Acknowledge
        </button>
      )}
      <button type="button" onClick={() => onEdit(incident.id, 'assign')}>
        Assign
      </button>
      {incident.status === 'OPEN' && (
        <button type="button" onClick={() => onEdit(incident.id, 'snooze')}>
          Snooze
        </button>
      )}
      <button type="button" onClick={() => onEdit(incident.id, 'comment')}>
        Comment
      </button>
    </div>
  );
}

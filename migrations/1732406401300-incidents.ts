import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NOC incidents (issue 14).
 *
 * alert_incidents: one row per triggered period of a rule for a customer, opened with its
 * TRIGGERED event and resolved with its RESOLVED one. The partial unique index allows one
 * unresolved incident per (rule, customer), which is what the writer's set-based
 * "open where none is open" relies on. status is OPEN, ACKNOWLEDGED or RESOLVED; a snooze
 * is snoozed_until on an unresolved incident (the repeats job skips it until then).
 *
 * incident_notes: comments and the notes given with operator actions, oldest first.
 *
 * Values are unconstrained NUMERIC like alert_events.value (a measured value can leave
 * the money range: see 1732406400810-alert-value-range).
 *
 * alert_events gains incident_id (null for test events and per-call CALL_DURATION events),
 * actor (API key name) and note, and the operator kinds.
 *
 * penalty_lifts: who lifted which penalty and why (liftPenalty's note).
 *
 * Existing triggered states get an OPEN incident, opened at the state's `since`.
 */
export class Incidents1732406401300 implements MigrationInterface {
  name = 'Incidents1732406401300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_incidents (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        definition_id uuid NOT NULL REFERENCES alert_definitions(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','ACKNOWLEDGED','RESOLVED')),
        opened_value numeric NOT NULL,
        last_value numeric NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by text,
        assignee text,
        snoozed_until timestamptz,
        resolved_at timestamptz,
        CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX alert_incidents_open_idx ON alert_incidents (definition_id, customer_id) WHERE status <> 'RESOLVED'`);
    await q.query(`CREATE INDEX alert_incidents_board_idx ON alert_incidents ((CASE status WHEN 'OPEN' THEN 2 WHEN 'ACKNOWLEDGED' THEN 1 ELSE 0 END), id)`);
    await q.query(`CREATE INDEX alert_incidents_customer_idx ON alert_incidents (customer_id)`);
    await q.query(`
      CREATE TABLE incident_notes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id bigint NOT NULL REFERENCES alert_incidents(id) ON DELETE CASCADE,
        author text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incident_notes_incident_idx ON incident_notes (incident_id, id)`);
    await q.query(`
      CREATE TABLE penalty_lifts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        actor text NOT NULL,
        note text,
        suspended_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE alert_events DROP CONSTRAINT alert_events_kind_check`);
    await q.query(`
      ALTER TABLE alert_events
        ADD CONSTRAINT alert_events_kind_check CHECK (kind IN ('TRIGGERED','REPEATED','RESOLVED','ACKNOWLEDGED','ASSIGNED','SNOOZED','COMMENTED')),
        ADD COLUMN incident_id bigint REFERENCES alert_incidents(id) ON DELETE SET NULL,
        ADD COLUMN actor text,
        ADD COLUMN note text`);
    await q.query(`CREATE INDEX alert_events_incident_idx ON alert_events (incident_id, id) WHERE incident_id IS NOT NULL`);
    await q.query(`
      INSERT INTO alert_incidents (definition_id, customer_id, opened_value, last_value, opened_at)
      SELECT s.definition_id, s.customer_id, coalesce(s.value, 0), coalesce(s.value, 0), coalesce(s.since, now())
        FROM alert_states s JOIN alert_definitions d ON d.id = s.definition_id
       WHERE s.triggered AND d.area <> 'CALL_DURATION'
       ORDER BY s.since NULLS LAST`);
    // The last TRIGGERED/REPEATED events of those periods belong to them.
    await q.query(`
      UPDATE alert_events e SET incident_id = i.id
        FROM alert_incidents i
       WHERE e.definition_id = i.definition_id AND e.customer_id = i.customer_id AND NOT e.is_test
         AND e.kind IN ('TRIGGERED','REPEATED') AND e.occurred_at >= i.opened_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alert_events WHERE kind IN ('ACKNOWLEDGED','ASSIGNED','SNOOZED','COMMENTED')`);
    await q.query(`ALTER TABLE alert_events DROP COLUMN incident_id, DROP COLUMN actor, DROP COLUMN note, DROP CONSTRAINT alert_events_kind_check`);
    await q.query(`ALTER TABLE alert_events ADD CONSTRAINT alert_events_kind_check CHECK (kind IN ('TRIGGERED','REPEATED','RESOLVED'))`);
    await q.query(`DROP TABLE penalty_lifts`);
    await q.query(`DROP TABLE incident_notes`);
    await q.query(`DROP TABLE alert_incidents`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_events partitioned by range on occurred_at, one partition per ISO week (Monday
 * 00:00 UTC to the next), named alert_events_pYYYYMMDD after the Monday: retention
 * (ALERT_EVENT_RETENTION_DAYS) drops whole weeks instead of deleting rows
 * (src/modules/alert/alert-event-partitions.ts, docs/retention.md).
 *
 * Weeks, not days: the events' order is (tx, id), not the partition key, so a list or
 * feed page reads every partition's (tx, id) index (a Merge Append; no pruning). Weeks
 * keep that count small (90 days of events: 14 partitions, not 90) and events are far
 * fewer than CDRs, so a week's indexes stay small; retention is still kept to the day
 * it promises (a week goes once its last day is past what is kept).
 *
 * The primary key is (id, occurred_at) (a unique index on a partitioned table must hold
 * the partition key); id stays unique (one identity sequence) and the key's index serves
 * lookups by id. The order's indexes ((tx, id), per customer, per incident) and the
 * others are kept, created on every partition.
 *
 * Foreign keys, all gone:
 * - notifications.alert_event_id: a key must reference a unique index on id alone, which
 *   a partitioned table cannot have. The id stays on the notification; once its event's
 *   week is dropped the notification's alertEvent is null (the loader finds nothing).
 * - customer_id, definition_id, incident_id: dropping a week that holds keys to
 *   customers takes ACCESS EXCLUSIVE on customers (as with cdrs: it stalls every batch).
 *   Rules are never deleted (deleted_at), incidents only with their customer, and
 *   deleting a customer deletes its events in code (customer.service.ts), as the
 *   cascade did.
 *
 * alert_event_retention holds the cursor mark: the greatest (tx, id) of every dropped
 * week. A cursor before it is refused (CURSOR_EXPIRED), and the lists show only events
 * after it (alert-event-order.ts).
 *
 * Existing rows are copied into their weeks, ids and tx kept.
 */
export class AlertEventPartitions1732406401700 implements MigrationInterface {
  name = 'AlertEventPartitions1732406401700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_alert_event_id_fkey`);
    await q.query(`ALTER TABLE alert_events RENAME TO alert_events_unpartitioned`);
    for (const index of INDEXES) await q.query(`ALTER INDEX ${index} RENAME TO ${index.replace('alert_events_', 'alert_events_unpartitioned_')}`);
    await q.query(`ALTER SEQUENCE alert_events_id_seq RENAME TO alert_events_unpartitioned_id_seq`);
    await q.query(`
      CREATE TABLE alert_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL CONSTRAINT alert_events_kind_check CHECK (kind IN ('TRIGGERED','REPEATED','RESOLVED','ACKNOWLEDGED','ASSIGNED','SNOOZED','COMMENTED')),
        definition_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        area text NOT NULL,
        value numeric NOT NULL,
        threshold numeric(28,10) NOT NULL,
        subject text NOT NULL,
        message text NOT NULL,
        penalty_until timestamptz,
        is_test boolean NOT NULL DEFAULT false,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        incident_id bigint,
        actor text,
        note text,
        tx bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
        PRIMARY KEY (id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await createIndexes(q);
    // The weeks of the stored rows, last week, this week and the next 2 (what the job keeps ahead).
    await q.query(`
      DO $$
      DECLARE week date;
      BEGIN
        FOR week IN
          SELECT DISTINCT date_trunc('week', occurred_at AT TIME ZONE 'UTC')::date FROM alert_events_unpartitioned
          UNION
          SELECT date_trunc('week', d)::date FROM generate_series((now() AT TIME ZONE 'UTC') - interval '7 days', (now() AT TIME ZONE 'UTC') + interval '14 days', interval '7 days') d
        LOOP
          EXECUTE format('CREATE TABLE %I PARTITION OF alert_events FOR VALUES FROM (%L) TO (%L)',
                         'alert_events_p' || to_char(week, 'YYYYMMDD'), week::timestamp AT TIME ZONE 'UTC', (week + 7)::timestamp AT TIME ZONE 'UTC');
        END LOOP;
      END $$`);
    await q.query(`INSERT INTO alert_events (${COLUMNS}) OVERRIDING SYSTEM VALUE SELECT ${COLUMNS} FROM alert_events_unpartitioned`);
    await q.query(`SELECT setval(pg_get_serial_sequence('alert_events', 'id'), coalesce((SELECT max(id) FROM alert_events), 0) + 1, false)`);
    await q.query(`DROP TABLE alert_events_unpartitioned`);
    await q.query(`
      CREATE TABLE alert_event_retention (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        dropped_tx bigint NOT NULL DEFAULT 0,
        dropped_id bigint NOT NULL DEFAULT 0,
        kept_since timestamptz
      )`);
    await q.query(`INSERT INTO alert_event_retention DEFAULT VALUES`);
  }

  /**
   * Back to one table with its foreign keys. Events of customers or rules that no longer
   * exist are not carried back (the cascade would have deleted them); an incident or a
   * notification's event that is gone becomes null (their ON DELETE SET NULL).
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_event_retention`);
    await q.query(`ALTER TABLE alert_events RENAME TO alert_events_partitioned`);
    for (const index of INDEXES) await q.query(`ALTER INDEX ${index} RENAME TO ${index.replace('alert_events_', 'alert_events_partitioned_')}`);
    await q.query(`ALTER SEQUENCE alert_events_id_seq RENAME TO alert_events_partitioned_id_seq`);
    await q.query(`
      CREATE TABLE alert_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CONSTRAINT alert_events_kind_check CHECK (kind IN ('TRIGGERED','REPEATED','RESOLVED','ACKNOWLEDGED','ASSIGNED','SNOOZED','COMMENTED')),
        definition_id uuid NOT NULL REFERENCES alert_definitions(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        area text NOT NULL,
        value numeric NOT NULL,
        threshold numeric(28,10) NOT NULL,
        subject text NOT NULL,
        message text NOT NULL,
        penalty_until timestamptz,
        is_test boolean NOT NULL DEFAULT false,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        incident_id bigint REFERENCES alert_incidents(id) ON DELETE SET NULL,
        actor text,
        note text,
        tx bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint
      )`);
    await q.query(`
      INSERT INTO alert_events (${COLUMNS}) OVERRIDING SYSTEM VALUE
      SELECT ${COLUMNS.replace('incident_id', `CASE WHEN EXISTS (SELECT 1 FROM alert_incidents i WHERE i.id = e.incident_id) THEN incident_id END`)}
        FROM alert_events_partitioned e
       WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = e.customer_id)
         AND EXISTS (SELECT 1 FROM alert_definitions d WHERE d.id = e.definition_id)`);
    await q.query(`SELECT setval(pg_get_serial_sequence('alert_events', 'id'), coalesce((SELECT max(id) FROM alert_events_partitioned), 0) + 1, false)`);
    await createIndexes(q);
    await q.query(`DROP TABLE alert_events_partitioned`);
    await q.query(`UPDATE notifications n SET alert_event_id = NULL WHERE alert_event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM alert_events e WHERE e.id = n.alert_event_id)`);
    await q.query(`ALTER TABLE notifications ADD CONSTRAINT notifications_alert_event_id_fkey FOREIGN KEY (alert_event_id) REFERENCES alert_events(id) ON DELETE SET NULL`);
  }
}

const COLUMNS = 'id, kind, definition_id, customer_id, area, value, threshold, subject, message, penalty_until, is_test, occurred_at, incident_id, actor, note, tx';

/** Every index of alert_events, renamed out of the way with the table it leaves. */
const INDEXES = [
  'alert_events_pkey',
  'alert_events_customer_order_idx',
  'alert_events_definition_idx',
  'alert_events_incident_order_idx',
  'alert_events_occurred_idx',
  'alert_events_order_idx',
];

async function createIndexes(q: QueryRunner): Promise<void> {
  await q.query(`CREATE INDEX alert_events_order_idx ON alert_events (tx, id)`);
  await q.query(`CREATE INDEX alert_events_customer_order_idx ON alert_events (customer_id, tx, id)`);
  await q.query(`CREATE INDEX alert_events_incident_order_idx ON alert_events (incident_id, tx, id) WHERE incident_id IS NOT NULL`);
  await q.query(`CREATE INDEX alert_events_definition_idx ON alert_events (definition_id, id)`);
  await q.query(`CREATE INDEX alert_events_occurred_idx ON alert_events (occurred_at, id)`);
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert definitions, the per-(definition, customer) state machine, and the immutable
 * event log whose id is the subscription cursor.
 */
export class Alerts1732406400300 implements MigrationInterface {
  name = 'Alerts1732406400300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
        customer_class_id uuid REFERENCES customer_classes(id) ON DELETE CASCADE,
        account_type text CHECK (account_type IN ('CUSTOMER','CARRIER')),
        area text NOT NULL CHECK (area IN ('BALANCE','AVAILABLE_CREDIT','ACCRUED_CHARGES','CALL_DURATION','ASR','ACD','SPEND','CALL_COUNT')),
        operator text NOT NULL CHECK (operator IN ('GT','GTE','LT','LTE','EQ')),
        threshold numeric(28,10) NOT NULL,
        reset_threshold numeric(28,10),
        sample_period integer CHECK (sample_period > 0),
        min_calls integer NOT NULL DEFAULT 1 CHECK (min_calls >= 0),
        penalty integer CHECK (penalty > 0),
        repeat_interval integer CHECK (repeat_interval > 0),
        emails text[] NOT NULL DEFAULT '{}',
        phones text[] NOT NULL DEFAULT '{}',
        webhook_urls text[] NOT NULL DEFAULT '{}',
        notify_customer boolean NOT NULL DEFAULT false,
        template_id uuid REFERENCES notification_templates(id) ON DELETE SET NULL,
        -- Built-in rules backing the customer's own triggers (threshold read from the customer).
        builtin text UNIQUE CHECK (builtin IN ('PREPAID_BALANCE_TRIGGER','CALL_DURATION_TRIGGER','LOW_BALANCE_THRESHOLD')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- deleteAlertDefinition keeps the row so the events it produced keep their rule.
        deleted_at timestamptz,
        CHECK (customer_id IS NULL OR customer_class_id IS NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX alert_definitions_title_key ON alert_definitions (lower(title)) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX alert_definitions_customer_idx ON alert_definitions (customer_id) WHERE customer_id IS NOT NULL`);
    await q.query(`CREATE INDEX alert_definitions_class_idx ON alert_definitions (customer_class_id) WHERE customer_class_id IS NOT NULL`);
    // The customer's own CDR2Cloud triggers, evaluated like any rule for every customer;
    // their threshold is read from the customer row (threshold here is a placeholder).
    await q.query(`
      INSERT INTO alert_definitions (title, area, operator, threshold, min_calls, builtin) VALUES
        ('Pre-paid balance trigger', 'ACCRUED_CHARGES', 'GTE', 0, 0, 'PREPAID_BALANCE_TRIGGER'),
        ('Call duration trigger', 'CALL_DURATION', 'GTE', 0, 0, 'CALL_DURATION_TRIGGER'),
        ('Low balance threshold', 'BALANCE', 'LT', 0, 0, 'LOW_BALANCE_THRESHOLD')`);

    await q.query(`
      CREATE TABLE alert_states (
        definition_id uuid NOT NULL REFERENCES alert_definitions(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        triggered boolean NOT NULL DEFAULT false,
        value numeric(28,10),
        since timestamptz,
        last_notified_at timestamptz,
        evaluated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (definition_id, customer_id)
      )`);
    await q.query(`CREATE INDEX alert_states_customer_idx ON alert_states (customer_id)`);
    await q.query(`CREATE INDEX alert_states_triggered_idx ON alert_states (last_notified_at) WHERE triggered`);

    await q.query(`
      CREATE TABLE alert_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('TRIGGERED','REPEATED','RESOLVED')),
        definition_id uuid NOT NULL REFERENCES alert_definitions(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        area text NOT NULL,
        value numeric(28,10) NOT NULL,
        threshold numeric(28,10) NOT NULL,
        subject text NOT NULL,
        message text NOT NULL,
        penalty_until timestamptz,
        is_test boolean NOT NULL DEFAULT false,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX alert_events_customer_idx ON alert_events (customer_id, id)`);

    // Per-customer, per-minute call totals kept with every charged batch, so a window
    // (ASR, ACD, SPEND, CALL_COUNT) sums at most one row per minute plus the calls of
    // its one partial boundary minute, instead of re-reading every call in the window.
    await q.query(`
      CREATE TABLE alert_call_buckets (
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        minute timestamptz NOT NULL,
        attempts integer NOT NULL,
        answered integer NOT NULL,
        answered_seconds bigint NOT NULL,
        spend numeric(28,10) NOT NULL,
        PRIMARY KEY (customer_id, minute)
      )`);
    await q.query(`CREATE INDEX alert_call_buckets_minute_idx ON alert_call_buckets (minute)`);
    await q.query(`CREATE INDEX alert_events_definition_idx ON alert_events (definition_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_call_buckets`);
    await q.query(`DROP TABLE alert_events`);
    await q.query(`DROP TABLE alert_states`);
    await q.query(`DROP TABLE alert_definitions`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts, inventory, API keys and the balance ledger. Money is NUMERIC(28,10):
 * exact, 18 integer and 10 fractional digits.
 */
export class Foundation1732406400000 implements MigrationInterface {
  name = 'Foundation1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE notification_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        messages jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX notification_templates_name_key ON notification_templates (lower(name))`);

    await q.query(`
      CREATE TABLE customer_classes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        notification_template_id uuid REFERENCES notification_templates(id) ON DELETE RESTRICT,
        enabled_notifications text[] NOT NULL DEFAULT '{}',
        default_terms text CHECK (default_terms IN ('PREPAID','POSTPAID')),
        default_credit_limit numeric(28,10),
        default_call_limit integer CHECK (default_call_limit >= 0),
        default_cps_limit integer CHECK (default_cps_limit >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX customer_classes_name_key ON customer_classes (lower(name))`);
    await q.query(`CREATE INDEX customer_classes_template_idx ON customer_classes (notification_template_id)`);

    await q.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        company text,
        type text NOT NULL DEFAULT 'CUSTOMER' CHECK (type IN ('CUSTOMER','CARRIER')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','INACTIVE','SUSPENDED')),
        suspended_until timestamptz,
        terms text NOT NULL DEFAULT 'PREPAID' CHECK (terms IN ('PREPAID','POSTPAID')),
        balance numeric(28,10) NOT NULL DEFAULT 0,
        credit_limit numeric(28,10) NOT NULL DEFAULT 0,
        accrued_charges numeric(28,10) NOT NULL DEFAULT 0,
        test_credit numeric(28,10) NOT NULL DEFAULT 0,
        call_limit integer CHECK (call_limit >= 0),
        cps_limit integer CHECK (cps_limit >= 0),
        min_profitability numeric(28,10),
        main_email text,
        noc_email text,
        billing_email text,
        rates_email text,
        tax_id text,
        address text,
        customer_class_id uuid REFERENCES customer_classes(id) ON DELETE RESTRICT,
        prepaid_balance_trigger numeric(28,10),
        call_duration_trigger integer NOT NULL DEFAULT 0 CHECK (call_duration_trigger >= 0),
        low_balance_threshold numeric(28,10),
        notifications_enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX customers_class_idx ON customers (customer_class_id)`);
    await q.query(`CREATE INDEX customers_name_idx ON customers (lower(name), id)`);
    await q.query(`CREATE INDEX customers_created_idx ON customers (created_at, id)`);
    await q.query(`CREATE INDEX customers_balance_idx ON customers (balance, id)`);
    // Sort keys of the customers list (CustomerQueryService), with id as keyset tie-breaker.
    await q.query(`CREATE INDEX customers_company_idx ON customers ((coalesce(lower(company), '')), id)`);
    await q.query(`CREATE INDEX customers_suspended_idx ON customers (suspended_until) WHERE status = 'SUSPENDED'`);

    await q.query(`
      CREATE TABLE trunks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
        direction text NOT NULL DEFAULT 'INGRESS' CHECK (direction IN ('INGRESS','EGRESS')),
        enabled boolean NOT NULL DEFAULT true,
        call_limit integer CHECK (call_limit >= 0),
        cps_limit integer CHECK (cps_limit >= 0),
        tech_prefix text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // CDRs name their customer by ingress trunk name, so that name must be unambiguous.
    await q.query(`CREATE UNIQUE INDEX trunks_name_key ON trunks (name)`);
    await q.query(`CREATE INDEX trunks_customer_idx ON trunks (customer_id)`);

    await q.query(`
      CREATE TABLE hosts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ip cidr NOT NULL,
        port integer CHECK (port BETWEEN 1 AND 65535),
        trunk_id uuid NOT NULL REFERENCES trunks(id) ON DELETE CASCADE,
        enabled boolean NOT NULL DEFAULT true,
        call_limit integer CHECK (call_limit >= 0),
        cps_limit integer CHECK (cps_limit >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX hosts_ip_gist ON hosts USING gist (ip inet_ops)`);
    await q.query(`CREATE INDEX hosts_trunk_idx ON hosts (trunk_id)`);
    // Keyset order of the hosts list (address, then id).
    await q.query(`CREATE INDEX hosts_ip_id_idx ON hosts (ip, id)`);
    await q.query(`CREATE UNIQUE INDEX hosts_enabled_address_key ON hosts (ip, coalesce(port, 0)) WHERE enabled`);

    await q.query(`
      CREATE TABLE balance_ledger (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
        reason text NOT NULL CHECK (reason IN ('CDR_CHARGES','PAYMENT','ADJUSTMENT','RESET')),
        delta numeric(28,10) NOT NULL,
        previous_balance numeric(28,10) NOT NULL,
        balance numeric(28,10) NOT NULL,
        accrued_delta numeric(28,10) NOT NULL DEFAULT 0,
        reference text,
        note text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX balance_ledger_customer_idx ON balance_ledger (customer_id, id)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN','NOC','INGEST','CUSTOMER')),
        customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
        secret_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CHECK ((role = 'CUSTOMER') = (customer_id IS NOT NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE balance_ledger`);
    await q.query(`DROP TABLE hosts`);
    await q.query(`DROP TABLE trunks`);
    await q.query(`DROP TABLE customers`);
    await q.query(`DROP TABLE customer_classes`);
    await q.query(`DROP TABLE notification_templates`);
  }
}

/**
 * The dashboard data of bench:lists, seeded set-based in SQL (seconds, not minutes):
 * customers in 20 classes (half carriers; names "Customer 000123 North" in five regions,
 * so a name filter matches a fifth of them), three trunks each (one ingress, two egress),
 * one host on each customer's ingress trunk, a rule per class besides the three built-ins,
 * and alert events over the last day, each on a customer and a rule that can fire for it.
 */
import { Client } from 'pg';

export interface ListsData {
  customers: number;
  events: number;
}

export interface SeededCounts {
  customers: number;
  trunks: number;
  hosts: number;
  definitions: number;
  events: number;
}

const CLASSES = 20;

export async function seedLists(url: string, data: ListsData): Promise<SeededCounts> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    await sql.query('BEGIN');
    await sql.query(
      `INSERT INTO customer_classes (name, default_terms) SELECT 'Class ' || lpad(g::text, 2, '0'), 'PREPAID' FROM generate_series(1, $1) g`,
      [CLASSES],
    );
    await sql.query(
      `WITH cls AS (SELECT array_agg(id ORDER BY name) AS ids FROM customer_classes)
       INSERT INTO customers (name, company, type, status, terms, balance, credit_limit, customer_class_id, main_email, created_at)
       SELECT 'Customer ' || lpad(g::text, 6, '0') || ' ' || (ARRAY['North', 'South', 'East', 'West', 'Central'])[1 + g % 5],
              'Company ' || g,
              CASE WHEN g % 2 = 0 THEN 'CARRIER' ELSE 'CUSTOMER' END,
              CASE WHEN g % 17 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END,
              CASE WHEN g % 3 = 0 THEN 'POSTPAID' ELSE 'PREPAID' END,
              ((g * 7919) % 100000) / 100.0 - 250, 100, cls.ids[1 + g % $2],
              'noc' || g || '@example.net', now() - g * interval '1 minute'
         FROM generate_series(1, $1) g, cls`,
      [data.customers, CLASSES],
    );
    await sql.query(
      `INSERT INTO trunks (name, customer_id, direction, call_limit, tech_prefix)
       SELECT 'trk-' || substr(c.name, 10, 6) || '-' || k, c.id, CASE WHEN k = 1 THEN 'INGRESS' ELSE 'EGRESS' END, 100 * k, k || '#'
         FROM customers c, generate_series(1, 3) k`,
    );
    // The trigger fills hosts.customer_id and trunk_direction from the trunk.
    await sql.query(
      `INSERT INTO hosts (ip, port, trunk_id, call_limit)
       SELECT ('10.' || (n >> 16) % 256 || '.' || (n >> 8) % 256 || '.' || n % 256)::cidr, 5060, t.id, 50
         FROM (SELECT id, row_number() OVER (ORDER BY name) AS n FROM trunks WHERE direction = 'INGRESS') t`,
    );
    await sql.query(
      `INSERT INTO alert_definitions (title, customer_class_id, area, operator, threshold, emails)
       SELECT 'Low balance, ' || name, id, 'BALANCE', 'LT', -100, ARRAY['noc@example.net'] FROM customer_classes`,
    );
    // Even events come from the customer's class rule, odd ones from the built-in low
    // balance threshold; ids (and occurred_at) follow g, as if written over the last day.
    await sql.query(
      `WITH c AS (SELECT id, name, customer_class_id, row_number() OVER (ORDER BY id) - 1 AS i FROM customers),
            builtin AS (SELECT id, threshold FROM alert_definitions WHERE builtin = 'LOW_BALANCE_THRESHOLD')
       INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, occurred_at)
       SELECT (ARRAY['TRIGGERED', 'REPEATED', 'RESOLVED'])[1 + g % 3],
              CASE WHEN g % 2 = 0 THEN d.id ELSE b.id END, c.id, 'BALANCE', -100 - g % 500,
              CASE WHEN g % 2 = 0 THEN d.threshold ELSE b.threshold END,
              'Balance alert for ' || c.name,
              c.name || ': balance ' || (-100 - g % 500) || ' is below the threshold; calls may be blocked when credit runs out.',
              now() - ($1 - g) * (interval '1 day' / $1)
         FROM generate_series(1, $1) g
         JOIN c ON c.i = (g::bigint * 7919) % $2
         JOIN alert_definitions d ON d.customer_class_id = c.customer_class_id
         CROSS JOIN builtin b
        ORDER BY g`,
      [data.events, data.customers],
    );
    await sql.query('COMMIT');
    await sql.query('VACUUM ANALYZE');
    const [counts] = (
      await sql.query<SeededCounts>(
        `SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM trunks)::int AS trunks,
                (SELECT count(*) FROM hosts)::int AS hosts, (SELECT count(*) FROM alert_definitions)::int AS definitions,
                (SELECT count(*) FROM alert_events)::int AS events`,
      )
    ).rows;
    return counts;
  } catch (err) {
    await sql.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await sql.end();
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_triggered_defs: the rules each asked-for customer has triggered, a row per
 * customer with at least one (customer_id, defs). A CDR batch reads it twice: its insert,
 * to know which customers a rule may still apply to (cdr-insert.ts MAY_HAVE_RULES), and
 * its rule statement, for each customer's triggered states (alert-engine.ts); both bind
 * generic plans (cdr-insert.ts, plan_mode), and so do the balance and window statements
 * in that transaction. Planned for the values of each call (plan_cache_mode on the
 * function), as call_bucket_sums is (1732406402300), for the same reason.
 *
 * Why: the statements read alert_states with `customer_id = ANY($ids)`, a parameter. A
 * generic plan made while the table was small or empty (a new deployment, or any server
 * that has not analyzed it since: one without autovacuum never does) scans it and
 * compares every triggered state with the whole array, element by element, for as long as
 * the plan lives (a busy feed's connection is never idle long enough to close). Measured
 * on bench:scale's data (20,000 customers, 1,000 rules) with 20,000 states triggered
 * after the plan was made: the rule statement over a batch's 4,400 customers took
 * 275-301 ms against 38-44 with none; the insert's plan did the same search (an index
 * scan of the triggered states filtered by the array). Planned per call, the customers
 * are counted, not assumed, and the table's current size is seen: a hash join, or the
 * customer index when the states are many and the customers few.
 *
 * The customers through unnest rather than `= ANY`: planned for a constant array, `= ANY`
 * would be estimated element by element at every call. A customer asked for twice is
 * answered once. Without customers (NULL or empty), nothing.
 */
const FUNCTION_SQL = `
CREATE FUNCTION alert_triggered_defs(customer_ids uuid[])
RETURNS TABLE (customer_id uuid, defs uuid[])
LANGUAGE plpgsql STABLE ROWS 100
SET plan_cache_mode = force_custom_plan
AS $fn$
BEGIN
  IF customer_ids IS NULL OR cardinality(customer_ids) = 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT s.customer_id, array_agg(s.definition_id)
      FROM alert_states s
     WHERE s.triggered AND s.customer_id IN (SELECT u.id FROM unnest(customer_ids) AS u(id))
     GROUP BY s.customer_id;
END
$fn$`;

export class AlertTriggeredDefs1732406402700 implements MigrationInterface {
  name = 'AlertTriggeredDefs1732406402700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FUNCTION_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION alert_triggered_defs(uuid[])');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_bucket_delta_sums: each asked-for customer's calls and spend in the deltas not
 * compacted yet, since a minute, summed per customer. A CDR batch's rule statement
 * bounds every customer's windows by these sums (alert-engine.ts `bounds`) and reads the
 * deltas minute by minute (call_bucket_deltas) only for the windows of the rules that
 * the bounds leave. Summed here, the statement takes ~4,400 rows from the function
 * instead of every stored delta of those customers, copied once by the function, once
 * more into its CTE and then summed.
 *
 * A function for the reason call_bucket_deltas is one (migration 1732406402000): read
 * by the rule statement itself, the deltas table's VACUUM after each compaction pass
 * would make every connection plan that statement again. The customers are kept by a
 * hashed semi-join for the reason given in 1732406402100: PL/pgSQL keeps a generic
 * plan, which would compare every delta row with the whole array. Grouped per customer
 * only: per customer and minute the groups were as many as the rows (1732406402100).
 * Without customers (NULL) or without a horizon it sums nothing: unlike call_bucket_deltas,
 * which the window job calls for every customer, both its callers name their customers.
 */
const FUNCTION_SQL = `
CREATE FUNCTION call_bucket_delta_sums(customer_ids uuid[], since timestamptz)
RETURNS TABLE (customer_id uuid, attempts bigint, spend numeric)
LANGUAGE plpgsql STABLE ROWS 1000 AS $fn$
BEGIN
  IF since IS NULL OR customer_ids IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT d.customer_id, sum(d.attempts)::bigint, sum(d.spend)::numeric
      FROM alert_call_bucket_deltas d
     WHERE d.customer_id IN (SELECT unnest(customer_ids)) AND d.minute >= since
     GROUP BY d.customer_id;
END
$fn$`;

export class CallBucketDeltaSums1732406402200 implements MigrationInterface {
  name = 'CallBucketDeltaSums1732406402200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FUNCTION_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION call_bucket_delta_sums(uuid[], timestamptz)');
  }
}

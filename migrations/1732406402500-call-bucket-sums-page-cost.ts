import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_bucket_sums (1732406402300) plans with random_page_cost 1.1 instead of the
 * server's 4: the buckets it reads are the last hour's, in memory, where a probe of the
 * primary key (customer_id, minute) costs about what a page read in sequence does. At 4
 * the planner hashed every bucket since the earliest minute asked for whatever the number
 * of customers: over 140,000 buckets of 20,000 customers (bench:scale's last hour), 40-46
 * ms for the 230 customers of a windows' pass against 2-4 ms by the key, and 70-77 ms for
 * a batch's 4,400 customers against 49-51 ms (psql, two rounds each). Set on the function
 * alone, so no other statement's plan moves.
 */
export class CallBucketSumsPageCost1732406402500 implements MigrationInterface {
  name = 'CallBucketSumsPageCost1732406402500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION call_bucket_sums(uuid[], timestamptz[]) SET random_page_cost = 1.1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION call_bucket_sums(uuid[], timestamptz[]) RESET random_page_cost`);
  }
}

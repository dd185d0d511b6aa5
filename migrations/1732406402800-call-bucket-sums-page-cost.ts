import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_bucket_sums (1732406402300) plans with random_page_cost 1.1 instead of the
 * server's 4: the buckets it reads are the last hour's, in memory, where a probe of the
 * primary key (customer_id, minute) costs about what a page read in sequence does. At 4
 * the planner hashes every bucket since the earliest minute asked for, whatever the
 * number of customers asked: at the end of a bench:scale rules round (206,868 buckets
 * on 3,904 pages, none dead), 73 customers' windows 30.2 ms against 2.3 ms by the key;
 * 4,400 customers 69-71 ms either way (medians of 8). Set on the function alone, so no
 * other statement's plan moves.
 *
 * The same setting was made and reverted on 2026-12-05 (b3b9326, a43978e): then every CDR
 * batch summed its 4,400 customers' buckets through this function for its rules' bounds,
 * and on that bench's buckets the probes one by one cost more than the hash. Since then
 * the bounds are kept per customer (1732406402500) and the function is called for the
 * exact windows of the few customers the bounds let through, by a batch and by the
 * windows' pass, and for a bound only when its kept minute is later than the reader's
 * (a longer window just made): in a 72-batch bench:scale rules round, 52 calls of ~73
 * customers each took 1.7 s (pg_stat_statements), ~12 ms a batch.
 */
export class CallBucketSumsPageCost1732406402800 implements MigrationInterface {
  name = 'CallBucketSumsPageCost1732406402800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION call_bucket_sums(uuid[], timestamptz[]) SET random_page_cost = 1.1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION call_bucket_sums(uuid[], timestamptz[]) RESET random_page_cost`);
  }
}

/**
 * Stored history for bench:cdr (CDR_BENCH_STORED=N): N CDRs written by SQL straight into
 * cdrs (generate_series, one INSERT per day, so each lands in one partition), spread
 * evenly over the last CDR_BENCH_STORED_DAYS UTC days (the retention window the run
 * stands for), with random callIds, then VACUUM ANALYZE as the autovacuum of a live
 * system would have left it. Not through the API: the point is the table's size, and
 * 50 million records through GraphQL would take hours.
 */
import { Client } from 'pg';

const DAY_MS = 86_400_000;

/** How many stored CDRs to seed (0: none) and over how many days, from the environment of `npm run bench:cdr`. */
export function storedCdrSettings(): { stored: number; days: number } {
  const stored = Number(process.env.CDR_BENCH_STORED ?? 0);
  const days = Number(process.env.CDR_BENCH_STORED_DAYS ?? 30);
  if (!Number.isInteger(stored) || stored < 0) throw new Error(`CDR_BENCH_STORED must be a whole number, got ${process.env.CDR_BENCH_STORED}`);
  if (!Number.isInteger(days) || days < 1 || days > 400) throw new Error(`CDR_BENCH_STORED_DAYS must be 1 to 400, got ${process.env.CDR_BENCH_STORED_DAYS}`);
  return { stored, days };
}

/** Seeds `total` CDRs of `customers` (local ids) over `days` days up to now; answers the seconds it took. */
export async function seedStoredCdrs(url: string, customers: readonly string[], total: number, days: number): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    const today = Math.floor(Date.now() / DAY_MS);
    for (let d = 0; d < days; d++) {
      const day = today - days + 1 + d;
      const from = new Date(day * DAY_MS);
      const name = `cdrs_p${from.toISOString().slice(0, 10).replaceAll('-', '')}`;
      await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF cdrs FOR VALUES FROM ('${from.toISOString()}') TO ('${new Date((day + 1) * DAY_MS).toISOString()}')`);
      const n = Math.floor(total / days) + (d < total % days ? 1 : 0);
      // Today's share ends three hours ago, before the rounds' records (two hours ago).
      const span = d === days - 1 ? Math.max(1, Date.now() - 3 * 3_600_000 - day * DAY_MS) : DAY_MS;
      await c.query(
        `INSERT INTO cdrs (call_id, customer_id, caller, callee, started_at, duration, disposition, charge)
         SELECT md5($4 || ':' || g), ($1::uuid[])[1 + (g % array_length($1::uuid[], 1))], '442070000000', '4930' || (g % 1000000),
                $2::timestamptz + (g::float8 / $3) * $5 * interval '1 millisecond', g % 600, 'ANSWERED', (g % 1000) / 1000.0
           FROM generate_series(0, $3 - 1) g`,
        [customers, from.toISOString(), n, `${day}`, span],
      );
    }
    await c.query('VACUUM ANALYZE cdrs');
  } finally {
    await c.end();
  }
  return (performance.now() - t0) / 1000;
}

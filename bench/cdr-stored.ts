/**
 * Stored history for bench:cdr (CDR_BENCH_STORED=N): N CDRs written by SQL straight into
 * cdrs (generate_series, one INSERT per day, so each lands in one partition), spread
 * evenly over the last CDR_BENCH_STORED_DAYS UTC days (the retention window the run
 * stands for), with random callIds, then VACUUM ANALYZE as the autovacuum of a live
 * system would have left it. Not through the API: the point is the table's size, and
 * 50 million records through GraphQL would take hours.
 */
import { Client } from 'pg';
import { cdrDayIndexes } from '../src/modules/cdr/cdr-partitions';

const DAY_MS = 86_400_000;

/**
 * How many stored CDRs to seed (0: none), over how many days, and the name of a database
 * to keep them in between runs (CDR_BENCH_STORED_DB: seeding 50 million takes most of
 * half an hour; a later run on the same UTC day finds them and measures at once), from
 * the environment of `npm run bench:cdr`.
 */
export function storedCdrSettings(): { stored: number; days: number; keep?: string } {
  const stored = Number(process.env.CDR_BENCH_STORED ?? 0);
  const days = Number(process.env.CDR_BENCH_STORED_DAYS ?? 30);
  if (!Number.isInteger(stored) || stored < 0) throw new Error(`CDR_BENCH_STORED must be a whole number, got ${process.env.CDR_BENCH_STORED}`);
  if (!Number.isInteger(days) || days < 1 || days > 400) throw new Error(`CDR_BENCH_STORED_DAYS must be 1 to 400, got ${process.env.CDR_BENCH_STORED_DAYS}`);
  const keep = process.env.CDR_BENCH_STORED_DB || undefined;
  if (keep !== undefined && !/^[a-z_][a-z0-9_]{0,40}$/.test(keep)) throw new Error(`CDR_BENCH_STORED_DB must be a plain lower-case database name, got ${keep}`);
  return { stored, days, keep };
}

/** What a kept database was seeded with (bench/cdr-stored.ts wrote it), if anything. */
export interface SeedRecord {
  stored: number;
  days: number;
  seconds: number;
  seededAt: Date;
}

/** The seed record of a kept database, or undefined when it has none or was seeded on an earlier UTC day (its days no longer end at today). */
export async function seedRecord(url: string): Promise<SeedRecord | undefined> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE TABLE IF NOT EXISTS lg_bench_seed (stored bigint NOT NULL, days int NOT NULL, seconds float8 NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
    const rows = await c.query<{ stored: string; days: number; seconds: number; seeded_at: Date }>(
      `SELECT stored, days, seconds, seeded_at FROM lg_bench_seed WHERE seeded_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' ORDER BY seeded_at DESC LIMIT 1`,
    );
    const r = rows.rows[0];
    return r && { stored: Number(r.stored), days: r.days, seconds: r.seconds, seededAt: r.seeded_at };
  } finally {
    await c.end();
  }
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
      // A day the app has not created yet gets what the app's days have (their own unique callId index).
      const [{ exists }] = (await c.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [name])).rows;
      if (!exists) {
        await c.query(`CREATE TABLE ${name} PARTITION OF cdrs FOR VALUES FROM ('${from.toISOString()}') TO ('${new Date((day + 1) * DAY_MS).toISOString()}')`);
        for (const sql of cdrDayIndexes(name)) await c.query(sql);
      }
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
    const seconds = (performance.now() - t0) / 1000;
    await c.query(`CREATE TABLE IF NOT EXISTS lg_bench_seed (stored bigint NOT NULL, days int NOT NULL, seconds float8 NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
    await c.query(`INSERT INTO lg_bench_seed (stored, days, seconds) VALUES ($1, $2, $3)`, [total, days, seconds]);
    return seconds;
  } finally {
    await c.end();
  }
}

/**
 * Range partitions of one UTC day each (or of `spanDays` days, e.g. a week), named
 * <table>_pYYYYMMDD after their first day, created ahead and dropped whole (no DELETE).
 * Shared by every time-partitioned table.
 *
 * A day is created as a plain table (LIKE the parent) and then attached: ATTACH takes
 * only SHARE UPDATE EXCLUSIVE on the parent, so inserts and reads go on meanwhile
 * (CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE and stall ingest). A day is
 * dropped by DETACH PARTITION CONCURRENTLY (waits for the transactions using it, blocks
 * nobody) and then DROP TABLE. A detach interrupted half-way (the process died) is
 * finished by the next pass (FINALIZE), and a table detached but not dropped is dropped.
 */
import type { Database } from './database';
import type { Queryable } from './sql';

export const DAY_MS = 86_400_000;

/** The UTC day (days since the epoch) of an instant in epoch milliseconds. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The partition of `day` of `table`, e.g. cdrs_p20261202. */
export function partitionName(table: string, day: number): string {
  return `${table}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

interface PartitionRow {
  name: string;
  attached: boolean;
  pending: boolean;
}

/** The day tables of one parent, attached or left over from an unfinished drop. */
const PARTITIONS_SQL = `
SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached, coalesce(i.inhdetachpending, false) AS pending
  FROM pg_class c
  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = $1::regclass
 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
   AND c.relkind = 'r' AND c.relname ~ ('^' || $2 || '_p[0-9]{8}$')`;

export interface DayPartition {
  name: string;
  day: number;
  attached: boolean;
  /** A DETACH ... CONCURRENTLY that did not finish. */
  pending: boolean;
}

/** The day tables of `table` (attached or not), oldest first. */
export async function dayPartitions(q: Queryable, table: string): Promise<DayPartition[]> {
  const rows = await q.query<PartitionRow>(PARTITIONS_SQL, [table, table]);
  return rows
    .map((r) => {
      const digits = r.name.slice(-8);
      const day = dayOf(Date.UTC(Number(digits.slice(0, 4)), Number(digits.slice(4, 6)) - 1, Number(digits.slice(6, 8))));
      return { name: r.name, day, attached: r.attached, pending: r.pending };
    })
    .sort((a, b) => a.day - b.day);
}

/**
 * Creates the partitions of `days` that do not exist yet; answers how many it created.
 * Waits for any other creator of this table's partitions (a transaction-scoped advisory
 * lock), so two instances asking for one day at once create it once. `storage` is the
 * days' WITH (...) clause (storage parameters are not inherited from the parent). With
 * `spanDays` > 1 each partition covers that many days from its first (the caller passes
 * aligned first days, e.g. Mondays). `dayIndexes` names statements for indexes of a
 * partition's own (built on the empty table, before it is attached), such as a unique
 * index the parent cannot have because it would have to include the partition key.
 */
export interface DayPartitionOptions {
  storage?: string;
  spanDays?: number;
  dayIndexes?: (partition: string) => string[];
}

export function ensureDayPartitions(db: Database, table: string, days: Iterable<number>, opts: DayPartitionOptions = {}): Promise<number> {
  const { storage = '', spanDays = 1, dayIndexes = () => [] } = opts;
  return db.transaction(async (uow) => {
    await uow.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`lineguard.partitions.create.${table}`]);
    const existing = new Map((await dayPartitions(uow, table)).map((p) => [p.day, p]));
    let created = 0;
    for (const day of new Set(days)) {
      const found = existing.get(day);
      if (found?.attached && !found.pending) continue;
      const name = partitionName(table, day);
      // A left-over detached copy of an old day is dropped by maintenance, never reattached.
      if (found) throw new Error(`partition ${name} exists but is not attached to ${table}: finish its drop first`);
      const from = new Date(day * DAY_MS).toISOString();
      const to = new Date((day + spanDays) * DAY_MS).toISOString();
      await uow.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE) ${storage}`);
      for (const sql of dayIndexes(name)) await uow.query(sql);
      await uow.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
      created++;
    }
    return created;
  });
}

/**
 * Drops every day of `table` before `beforeDay` (the partitions whose first day is
 * before it); answers the days dropped. Runs on its own session (DETACH ... CONCURRENTLY
 * cannot run in a transaction) under a session try-advisory lock: when another instance
 * is dropping, this pass does nothing. `beforeDrop` runs (and commits: the session is in
 * autocommit) before each partition is detached, with the partition's name: what must
 * be recorded of its rows before they go (alert events: the cursor mark).
 */
export async function dropDayPartitionsBefore(
  db: Database,
  table: string,
  beforeDay: number,
  beforeDrop?: (q: Queryable, partition: DayPartition) => Promise<void>,
): Promise<number[]> {
  const runner = db.createQueryRunner();
  try {
    const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`lineguard.partitions.drop.${table}`])) as { locked: boolean }[];
    if (!locked) return [];
    try {
      const dropped: number[] = [];
      const session: Queryable = { query: (sql, params) => runner.query(sql as string, params) };
      const all = await dayPartitions(session, table);
      for (const p of all.filter((x) => x.day < beforeDay)) {
        if (beforeDrop) await beforeDrop(session, p);
        if (p.attached) await runner.query(`ALTER TABLE ${table} DETACH PARTITION ${p.name} ${p.pending ? 'FINALIZE' : 'CONCURRENTLY'}`);
        await runner.query(`DROP TABLE ${p.name}`);
        dropped.push(p.day);
      }
      return dropped;
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`lineguard.partitions.drop.${table}`]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * The database handle: a TypeORM DataSource on DATABASE_URL (or the embedded server),
 * migrations applied at open, and the transaction boundary used by every write. TypeORM
 * serves the pool, transactions and migrations only: there are no entities, and every
 * read and write is SQL through query() (see sql.ts).
 */
import { types } from 'pg';
import { DataSource, type Logger as TypeOrmLogger, type QueryRunner } from 'typeorm';
import { within } from '../common/within';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { MIGRATIONS } from '../../../migrations';
import type { PreparedSql } from './prepared-sql';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz';
import type { Queryable } from './sql';
import { runInTransaction, runQuery, type TransactionOptions, type UnitOfWork } from './unit-of-work';

/**
 * Counts statements sent, so tests can prove list queries are batched (no N+1). TypeORM's
 * migration log goes to our log as warnings: a migration writes there what it repaired
 * in existing data (renamed, disabled) for an operator to review, and TypeORM why one failed.
 */
export class QueryCounter implements TypeOrmLogger {
  count = 0;
  constructor(private readonly logger?: Logger) {}
  logQuery(): void {
    this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.logger?.warn(message);
  }
  log(): void {}
}

/** node-postgres's type parsers for the app's sessions, timestamptz text by parseTimestamptz. */
const APP_TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary' ? parseTimestamptz : types.getTypeParser(oid, format ?? 'text'),
};

interface PoolSettings {
  size: number;
  /** Connections kept open however long they idle. */
  min: number;
  /** How long one above `min` may idle before it is closed (0: never). */
  idleMs: number;
  /** application_name, as pg_stat_activity shows the pool's sessions. */
  name: string;
}

/** A DataSource of the app's sessions on `url` (migrations known, not run). */
function appDataSource(url: string, counter: QueryCounter, pool: PoolSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['query'],
    logger: counter,
    poolSize: pool.size,
    // JIT off for the app's sessions: its statements are short and set-based, and a cost
    // estimate over large array parameters (a CDR batch's 4,000 customers against 1,000
    // rules) crossed the JIT thresholds, so PostgreSQL spent ~2.4 s compiling the batch's
    // rule statement to run it in 0.3 s (auto_explain, bench:scale). Per session, so a
    // shared server's other users keep their setting.
    // timestamptz read by a parser of its own (timestamptz.ts): the same Dates, without the regular expressions.
    // Idle connections: node-postgres closes each after 10 s by default, and the backend
    // that replaces it plans every prepared statement again on first use. The per-second
    // jobs and a feed's batches keep a few busy and the pool grows and shrinks around
    // them: a feed sending every 4 s had 13 backends started in two minutes, 9 with these
    // settings (bench/cdr-pauses.js). `min` stay open however long they idle, the rest
    // close after `idleMs`.
    extra: {
      application_name: pool.name,
      connectionTimeoutMillis: 10_000,
      min: pool.min,
      idleTimeoutMillis: pool.idleMs,
      options: '-c jit=off',
      types: APP_TYPES,
    },
  });
}

export interface OpenOptions {
  /** Run pending migrations (default true). */
  migrate?: boolean;
  /** Pool size (default: DATABASE_POOL_SIZE). */
  poolSize?: number;
}

export class Database implements Queryable {
  private constructor(
    readonly dataSource: DataSource,
    /** Statements sent through this handle since it opened. */
    readonly queries: QueryCounter,
    private readonly logger: Logger,
    private readonly embedded?: EmbeddedDatabase,
  ) {}

  static async open(config: Config, logger: Logger, opts: OpenOptions = {}): Promise<Database> {
    const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, 'lineguard', logger);
    const url = config.databaseUrl ?? embedded!.url;
    const counter = new QueryCounter(logger);
    const poolSize = opts.poolSize ?? config.databasePoolSize;
    const dataSource = appDataSource(url, counter, { size: poolSize, min: Math.min(config.databasePoolMin, poolSize), idleMs: config.databasePoolIdleMs, name: 'lineguard' });
    try {
      await dataSource.initialize();
      if (opts.migrate !== false) {
        const ran = await dataSource.runMigrations({ transaction: 'each' });
        for (const m of ran) logger.info('migration applied', { migration: m.name });
      }
    } catch (err) {
      await dataSource.destroy().catch(() => undefined);
      await embedded?.stop().catch(() => undefined);
      throw err;
    }
    return new Database(dataSource, counter, logger, embedded);
  }

  /**
   * A pool of its own on the same server for the background jobs (DATABASE_JOBS_POOL_SIZE
   * connections, application_name lineguard-jobs), closed before this one. On the shared
   * pool the jobs, half a dozen every second at the same tick, took the connections a
   * feed's batches had warmed: the pool hands out the connection released last, so the
   * batch after a tick often got one of theirs, where the CDR insert was parsed again and
   * planned five times for its values before its generic plan (bench/cdr-pauses.js at
   * 5,000 records: 5 of the 13 rounds after the first began on such a connection).
   * Apart, a feed keeps its connection and a burst of requests cannot starve the jobs.
   * (What the jobs share with requests stays on the requests' pool: an alert event's wait
   * to settle after commit, partition maintenance once a minute.)
   */
  async jobsPool(config: Config): Promise<Database> {
    const counter = new QueryCounter(this.logger);
    const size = config.databaseJobsPoolSize;
    // None kept open when idle: the jobs run every second, and when they do not the pool may shrink.
    const dataSource = appDataSource(this.url, counter, { size, min: 0, idleMs: config.databasePoolIdleMs, name: 'lineguard-jobs' });
    await dataSource.initialize();
    return new Database(dataSource, counter, this.logger);
  }

  /** The connection URL in use (the embedded server's when none was configured). */
  get url(): string {
    return (this.dataSource.options as { url: string }).url;
  }

  /** Runs fn in one transaction, retried on serialization failure and deadlock; see runInTransaction. */
  transaction<T>(fn: (uow: UnitOfWork) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    return runInTransaction(this.dataSource, this.logger, fn, opts);
  }

  /** One statement outside any transaction (autocommit); returns its rows, whatever the statement. */
  async query<R = Record<string, unknown>>(sql: string | PreparedSql, params: unknown[] = []): Promise<R[]> {
    const qr = this.dataSource.createQueryRunner();
    try {
      return await runQuery<R>(qr, sql, params);
    } finally {
      await qr.release();
    }
  }

  createQueryRunner(): QueryRunner {
    return this.dataSource.createQueryRunner();
  }

  /**
   * Whether PostgreSQL answers within timeoutMs. The wait for a pool connection counts:
   * with every connection busy or the server stuck, readiness answers false in time
   * instead of queueing behind the pool's own (longer) connection timeout.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    const answered = this.dataSource.query('SELECT 1').then(
      () => true,
      () => false,
    );
    return within(answered, timeoutMs, false);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

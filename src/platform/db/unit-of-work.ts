/**
 * One database transaction and the work that must wait for its commit. Domain events
 * are collected here and published only after COMMIT succeeds; a rollback (or a retry
 * after a deadlock) drops them, so subscribers never see a change that did not happen.
 */
import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { isPreparedSql, type PreparedSql } from './prepared-sql';
import type { Logger } from '../logger';
import { sqlState } from '../common/errors';
import type { Queryable } from './sql';

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Attempts in all, counting the first (default 5). */
  attempts?: number;
}

/** SQLSTATEs after which the whole transaction can safely run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * A piece of per-transaction state, declared by the module that owns it (e.g. the
 * customers this transaction has locked). The key object, not a string, is the
 * identity, so two modules cannot collide and the value is typed.
 */
export class TxState<T> {
  constructor(
    readonly description: string,
    readonly initial: () => T,
  ) {}
}

export class UnitOfWork implements Queryable {
  private readonly afterCommitHooks: (() => Promise<void> | void)[] = [];
  private readonly states = new Map<TxState<unknown>, unknown>();

  constructor(readonly queryRunner: QueryRunner) {}

  /**
   * Runs one statement inside this transaction and returns its rows. (TypeORM's plain
   * query() returns [rows, count] for UPDATE/DELETE; the structured result is uniform.)
   */
  async query<R = Record<string, unknown>>(sql: string | PreparedSql, params: unknown[] = []): Promise<R[]> {
    return runQuery<R>(this.queryRunner, sql, params);
  }

  /** This transaction's value of a TxState (created on first use; a retried transaction starts afresh). */
  state<T>(key: TxState<T>): T {
    if (!this.states.has(key)) this.states.set(key, key.initial());
    return this.states.get(key) as T;
  }

  /** Schedules work (publishing, waking workers) for after a successful commit. */
  afterCommit(hook: () => Promise<void> | void): void {
    this.afterCommitHooks.push(hook);
  }

  /** @internal */
  async runAfterCommit(logger: Logger): Promise<void> {
    for (const hook of this.afterCommitHooks) {
      try {
        await hook();
      } catch (err) {
        // The data is committed; a failed publish must not turn into a client error.
        // Subscribers catch up from the stored rows by cursor.
        logger.error('after-commit hook failed', { err });
      }
    }
  }
}

/**
 * One statement on a query runner: plain SQL through TypeORM, a PreparedSql through
 * the runner's node-postgres client as a named statement (TypeORM has no way to name
 * one), logged to the same TypeORM logger so statement counts stay whole.
 */
export async function runQuery<R>(qr: QueryRunner, sql: string | PreparedSql, params: unknown[]): Promise<R[]> {
  if (!isPreparedSql(sql)) return (await qr.query(sql, params, true)).records as R[];
  const client = (await qr.connect()) as PoolClient;
  qr.connection.logger.logQuery(sql.text, params, qr);
  return (await client.query<R & QueryResultRow>({ name: sql.name, text: sql.text, values: params })).rows;
}

export async function runInTransaction<T>(
  dataSource: DataSource,
  logger: Logger,
  fn: (uow: UnitOfWork) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const qr = dataSource.createQueryRunner();
    const uow = new UnitOfWork(qr);
    let result: T;
    try {
      await qr.connect();
      // No isolation given: the server default, READ COMMITTED, without the extra
      // SET TRANSACTION round trip TypeORM would send (it shows on the CDR hot path).
      await qr.startTransaction(opts.isolation);
      result = await fn(uow);
      await qr.commitTransaction();
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      await qr.release().catch(() => undefined);
      const state = sqlState(err);
      if (state && RETRYABLE.has(state) && attempt < attempts) {
        logger.warn('transaction retried', { sqlState: state, attempt });
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
        continue;
      }
      throw err;
    }
    await qr.release();
    await uow.runAfterCommit(logger);
    return result;
  }
}

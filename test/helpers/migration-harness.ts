/**
 * A scratch database migrated up to just before one migration, so a test can plant the
 * rows that migration must repair or carry over, then run its up and down (each in one
 * transaction, as TypeORM runs them) and check the result.
 */
import { DataSource, type Logger as TypeOrmLogger, type MigrationInterface } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase } from './test-env';

export interface MigrationHarness {
  dataSource: DataSource;
  run(step: 'up' | 'down'): Promise<void>;
  close(): Promise<void>;
}

export async function migrationHarness(migration: new () => MigrationInterface, logger?: TypeOrmLogger): Promise<MigrationHarness> {
  const scratch = await createTestDatabase();
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(migration as (typeof MIGRATIONS)[number]));
  const dataSource = new DataSource({ type: 'postgres', url: scratch.url, migrations: before, migrationsTableName: 'migrations', logger });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    async run(step) {
      const qr = dataSource.createQueryRunner();
      try {
        await qr.startTransaction();
        await new migration()[step](qr);
        await qr.commitTransaction();
      } catch (err) {
        await qr.rollbackTransaction();
        throw err;
      } finally {
        await qr.release();
      }
    },
    async close() {
      await dataSource.destroy();
      await scratch.drop();
    },
  };
}

/** A fixed uuid for planted rows: `fixedUuid(7)` is 00000000-0000-4000-8000-000000000007. */
export const fixedUuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

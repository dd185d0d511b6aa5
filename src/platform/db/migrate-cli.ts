/** `npm run migrate` applies pending migrations; `npm run migrate:down` reverts the last one. */
import 'reflect-metadata';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { Database } from './database';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const down = process.argv[2] === 'down';
  const db = await Database.open(config, logger, { migrate: !down });
  try {
    if (down) {
      await db.dataSource.undoLastMigration({ transaction: 'each' });
      logger.info('reverted the last migration');
    }
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

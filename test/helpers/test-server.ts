/**
 * A real server on a free port with its own database (and its own Redis channel
 * prefix), as a client would reach it. Several servers can share one database and
 * prefix to act as instances of one deployment.
 */
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../../src/app/app';
import { loadConfig, type Config } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { disposeLater } from './disposal';
import { HttpClient, WsClient } from './graphql-client';
import { createTestDatabase, RELAXED_RATE_LIMITS, TEST_REDIS_URL } from './test-env';
import { TestClock } from './test-clock';

export interface TestServerOptions {
  /** Use Redis pub/sub (the test must be in describeWithRedis). */
  redis?: boolean;
  /** Join an existing deployment: its database URL and Redis prefix. */
  shared?: { databaseUrl: string; redisPrefix: string; adminKey: string };
  /** Extra environment for loadConfig. */
  env?: Record<string, string>;
  /** The schedules' clock (instances of one deployment share theirs); default: a new one at the real time. */
  clock?: TestClock;
}

export interface TestServer {
  app: App;
  config: Config;
  url: string;
  adminKey: string;
  databaseUrl: string;
  redisPrefix: string;
  /** The clock the server's schedules (reminders) run on; move it to skip hours or days. */
  clock: TestClock;
  /** An HTTP client with the admin key (or the given key). */
  http(key?: string | null): HttpClient;
  ws(key?: string | null): WsClient;
  /** Closes the server and drops its own database; also done for the test by test/helpers/disposal.ts. */
  close(): Promise<void>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  if (opts.redis && !TEST_REDIS_URL) throw new Error('this test needs Redis: wrap it in describeWithRedis');
  const db = opts.shared ? undefined : await createTestDatabase();
  const databaseUrl = opts.shared?.databaseUrl ?? db!.url;
  const adminKey = opts.shared?.adminKey ?? `lg_test_admin_${randomBytes(12).toString('hex')}`;
  const redisPrefix = opts.shared?.redisPrefix ?? `lgtest-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    ...(opts.redis ? { REDIS_URL: TEST_REDIS_URL } : {}),
    REDIS_PREFIX: redisPrefix,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SCHEDULER_INTERVAL_MS: '200',
    OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
    DELIVERY_BACKOFF_MS: '50',
    // Functional tests send bursts from one key; the production budgets have their own
    // tests (test/security/rate-limits.test.ts), against a server in its own process.
    ...RELAXED_RATE_LIMITS,
    ...opts.env,
  });
  const clock = opts.clock ?? new TestClock();
  let app: App;
  try {
    app = await startApp(config, createLogger(config.logLevel), { clock });
  } catch (err) {
    await db?.drop();
    throw err;
  }
  const close = disposeLater(async () => {
    await app.close();
    await db?.drop();
  });
  return {
    app,
    config,
    url: app.url,
    adminKey,
    databaseUrl,
    redisPrefix,
    clock,
    http: (key) => new HttpClient(app.url, key === null ? undefined : (key ?? adminKey)),
    ws: (key) => new WsClient(app.url, key === null ? undefined : (key ?? adminKey)),
    close,
  };
}

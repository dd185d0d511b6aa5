/**
 * The server as an attacker meets it: its own process (`node dist/src/main.js`, built by
 * pretest) in production mode, on its own database, so a request that exhausts memory or
 * blocks the event loop shows in that process's RSS and answers, not in the test's.
 * Memory is read from /proc: VmRSS now, VmHWM the peak since the last resetPeak().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../../src/platform/db/embedded-postgres';
import { watchChild } from '../../helpers/child-process';
import { disposeLater } from '../../helpers/disposal';
import { HttpClient, WsClient } from '../../helpers/graphql-client';
import { createTestDatabase, TEST_REDIS_URL } from '../../helpers/test-env';

export { RELAXED_RATE_LIMITS } from '../../helpers/test-env';

const MAIN = path.join(__dirname, '..', '..', '..', 'dist', 'src', 'main.js');

export interface ServerProcessOptions {
  /** Use the test Redis (the test must be in describeWithRedis). */
  redis?: boolean;
  /** Extra environment (limits under test, NODE_ENV...). */
  env?: Record<string, string>;
  /**
   * Run on this existing database instead of a new one (e.g. to restart a server on the
   * same data); the caller owns it, stop() leaves it in place.
   */
  databaseUrl?: string;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  adminKey: string;
  databaseUrl: string;
  /** Everything the process printed so far. */
  output(): string;
  http(key?: string | null): HttpClient;
  ws(key?: string | null): WsClient;
  /** Resident memory now, bytes. */
  rss(): number;
  /** Peak resident memory since the last resetPeak() (or start), bytes. */
  peakRss(): number;
  /** Starts a new peak measurement (Linux: writing 5 to clear_refs resets VmHWM). */
  resetPeak(): void;
  /** Resolves with the exit code / signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait for exit, drop the database (unless it was given); also done for the test by test/helpers/disposal.ts. */
  stop(): Promise<void>;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

export async function startServerProcess(opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (opts.redis && !TEST_REDIS_URL) throw new Error('this test needs Redis: wrap it in describeWithRedis');
  const db = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const port = await freePort();
  const adminKey = `lg_test_admin_${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      ADMIN_API_KEY: adminKey,
      // Production refuses to start with the built-in development secret.
      WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
      REDIS_PREFIX: `lgsec-${randomBytes(4).toString('hex')}`,
      ...(opts.redis ? { REDIS_URL: TEST_REDIS_URL! } : {}),
      LOG_LEVEL: 'warn',
      OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = watchChild(child);
  const url = `http://127.0.0.1:${port}/graphql`;
  // LOG_LEVEL=warn hides "listening" (the event test/e2e/process.e2e.test.ts waits on):
  // poll /healthz instead, which is also what a load balancer would wait on.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await db.drop();
      throw new Error(`server exited with ${child.exitCode}: ${output()}`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await db.drop();
      throw new Error(`server did not start: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  const stop = disposeLater(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await db.drop();
  });
  return {
    child,
    pid,
    url,
    port,
    adminKey,
    databaseUrl: db.url,
    output,
    http: (key) => new HttpClient(url, key === null ? undefined : (key ?? adminKey)),
    ws: (key) => new WsClient(url, key === null ? undefined : (key ?? adminKey)),
    rss: () => statusKb(pid, 'VmRSS') * 1024,
    peakRss: () => statusKb(pid, 'VmHWM') * 1024,
    resetPeak: () => fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    exited,
    stop,
  };
}


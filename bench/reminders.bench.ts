/**
 * What the low-balance reminder job costs per pass, on 20,000 customers that all have a
 * schedule (their class's: DAILY at 09:00 for 3 days, suspend after 2): a quiet pass with
 * nobody below the threshold (what runs every second almost always), the pass that starts
 * the periods of the customers below, a quiet pass while those periods run, the passes
 * that send one reminder to each, and those that suspend them (each suspension queues a
 * status webhook). The app runs in this process with its schedulers off; the bench calls
 * the job's run() itself on a clock it sets.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:reminders
 *   (BENCH_CUSTOMERS, BENCH_BELOW: how many customers, how many of them below)
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../src/app/app';
import type { Clock } from '../src/platform/clock';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import type { PeriodicJob } from '../src/platform/jobs';
import { openBenchServer } from './bench-env';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 20_000);
const BELOW = Number(process.env.BENCH_BELOW ?? 2_000);
const QUIET_PASSES = 20;

class BenchClock implements Clock {
  at = new Date('2025-03-10T12:00:00Z');
  now(): Date {
    return this.at;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(job: PeriodicJob): Promise<number> {
  const t = process.hrtime.bigint();
  await job.run();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function count(app: App, sql: string): Promise<number> {
  const [row] = await app.services.db.query<{ n: number }>(sql);
  return row.n;
}

/** Runs passes until `done` holds; returns how many and how long each took. */
async function passesUntil(job: PeriodicJob, done: () => Promise<boolean>): Promise<number[]> {
  const times: number[] = [];
  while (!(await done())) {
    times.push(await timed(job));
    if (times.length > 1_000) throw new Error('no progress');
  }
  return times;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export async function main(): Promise<void> {
  const server = await openBenchServer();
  const db = await server.freshDatabase('reminders');
  const clock = new BenchClock();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SCHEDULER_INTERVAL_MS: '0',
    ADMIN_API_KEY: `lg_bench_${randomBytes(12).toString('hex')}`,
  });
  const app = await startApp(config, createLogger('warn'), { clock });
  try {
    const job = app.services.jobs.find((j) => j.name === 'low-balance-reminders')!;
    const q = (sql: string, params: unknown[] = []) => app.services.db.query(sql, params);
    await q(`UPDATE settings SET time_zone = 'America/New_York', status_webhook_urls = '{https://switch.example/status}'`);
    const [cls] = await q(
      `INSERT INTO customer_classes (name, enabled_notifications, reminder_frequency, reminder_at, reminder_for_days, reminder_suspend_after_days)
       VALUES ('bench', '{LOW_BALANCE}', 'DAILY', '09:00', 3, 2) RETURNING id`,
    );
    await q(
      `INSERT INTO customers (name, billing_email, customer_class_id, balance, low_balance_threshold)
       SELECT 'bench ' || g, 'c' || g || '@bench.test', $1, 100, 50 FROM generate_series(1, $2) g`,
      [(cls as { id: string }).id, CUSTOMERS],
    );
    await q(`ANALYZE customers`);
    const lines: string[] = [`${CUSTOMERS} customers with a schedule, ${BELOW} of them below the threshold`];

    const quiet: number[] = [];
    for (let i = 0; i < QUIET_PASSES; i++) quiet.push(await timed(job));
    lines.push(`quiet pass, nobody below: median ${fmt(median(quiet))} (${QUIET_PASSES} passes)`);

    await q(`UPDATE customers SET balance = 10 WHERE id IN (SELECT id FROM customers ORDER BY id LIMIT $1)`, [BELOW]);
    const dueNow = async () => (await count(app, `SELECT count(*)::int AS n FROM low_balance_reminder_states WHERE due_at <= '${clock.at.toISOString()}'`)) === 0;
    const start = await passesUntil(job, async () => (await count(app, `SELECT count(*)::int AS n FROM low_balance_reminder_states`)) > 0 && (await dueNow()));
    lines.push(`${BELOW} periods started and scheduled: ${start.length} passes, first ${fmt(start[0])}, total ${fmt(sum(start))}`);

    const running: number[] = [];
    for (let i = 0; i < QUIET_PASSES; i++) running.push(await timed(job));
    lines.push(`quiet pass, ${BELOW} periods running, nothing due: median ${fmt(median(running))}`);

    // Two minutes at one pass a second: every period is re-checked once a minute.
    const minute: number[] = [];
    for (let i = 0; i < 120; i++) {
      clock.at = new Date(clock.at.getTime() + 1_000);
      minute.push(await timed(job));
    }
    lines.push(`two minutes of passes (clock +1 s each, re-checks included): median ${fmt(median(minute))}, max ${fmt(Math.max(...minute))}, total ${fmt(sum(minute))}`);

    // 09:00 in New York the next day: one reminder each.
    clock.at = new Date('2025-03-11T13:00:05Z');
    const remind = await passesUntil(job, async () => (await count(app, `SELECT count(*)::int AS n FROM low_balance_reminder_states WHERE reminders_sent = 0`)) === 0);
    lines.push(`${BELOW} reminders: ${remind.length} passes, median ${fmt(median(remind))}, total ${fmt(sum(remind))}`);

    // Local midnight ending day 2: every one of them suspended (and a status webhook queued for each).
    clock.at = new Date('2025-03-12T04:00:05Z');
    const suspend = await passesUntil(job, async () => (await count(app, `SELECT count(*)::int AS n FROM customers WHERE status = 'SUSPENDED'`)) === BELOW);
    lines.push(`${BELOW} suspensions: ${suspend.length} passes, median ${fmt(median(suspend))}, total ${fmt(sum(suspend))}`);
    lines.push(
      `outbox: ${await count(app, `SELECT count(*)::int AS n FROM notifications WHERE kind = 'LOW_BALANCE'`)} LOW_BALANCE, ` +
        `${await count(app, `SELECT count(*)::int AS n FROM notifications WHERE kind = 'STATUS_CHANGED'`)} STATUS_CHANGED rows`,
    );
    process.stdout.write(lines.map((l) => `reminders: ${l}\n`).join(''));
  } finally {
    await app.close();
    await db.drop();
    await server.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

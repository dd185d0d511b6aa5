/**
 * The outbox survives a crash: a real child process claims pending messages, is
 * SIGKILLed while delivering them, and a new instance on the same database delivers
 * each exactly once; a message recorded SENT before the crash is never sent again.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SendNotificationDocument, NtfCreateCustomerDocument } from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { startMailCatcher, type MailCatcher } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { quietFor } from '../helpers/waits';

const ROOT = path.resolve(__dirname, '../..');

describe('notification outbox across a crash', () => {
  let mail: MailCatcher;
  let blackhole: net.Server;
  const sockets = new Set<net.Socket>();
  let blackholeConnections = 0;
  let owner: TestServer;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    // The child runs the built service, as production does.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
    mail = await startMailCatcher();
    // An SMTP server that accepts connections and never answers: delivery hangs in flight.
    blackhole = net.createServer((s) => {
      sockets.add(s);
      blackholeConnections++;
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    // Owns the database; its scheduler is off so it never delivers anything itself.
    owner = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0', SMTP_URL: mail.url } });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => blackhole?.close(() => r()));
  });

  const shared = () => ({ databaseUrl: owner.databaseUrl, redisPrefix: owner.redisPrefix, adminKey: owner.adminKey });
  const deliveringEnv = () => ({ SMTP_URL: mail.url, SCHEDULER_INTERVAL_MS: '100', DELIVERY_TIMEOUT_MS: '2000' });
  const rowsOf = (ids: string[]) =>
    owner.app.services.db.query<{ id: string; status: string; attempts: number }>(
      `SELECT id::text, status, attempts FROM notifications WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );

  async function welcome(name: string): Promise<{ id: string; to: string }> {
    const to = `${name}@restart.test`;
    const c = await owner.http().data(NtfCreateCustomerDocument, { input: { name, mainEmail: to } });
    const r = await owner.http().data(SendNotificationDocument, { customerId: c.createCustomer.id, kind: 'WELCOME' });
    return { id: r.sendNotification[0].id.slice('ntf_'.length), to };
  }
  const mailsTo = (to: string) => mail.messages.filter((m) => m.rcptTo.includes(to)).length;

  it('delivers after restart what a killed process had claimed, exactly once, and never resends SENT rows', async () => {
    // 1. One message delivered and recorded SENT by an instance that then stops.
    const before = await welcome('early');
    const first = await startTestServer({ shared: shared(), env: deliveringEnv() });
    await eventually(async () => (await rowsOf([before.id]))[0].status === 'SENT', 10_000, 'first delivery');
    await first.close();
    expect(mailsTo(before.to)).toBe(1);

    // 2. Three messages pending; a real process claims them, hangs on SMTP, and is killed.
    const pending = [await welcome('one'), await welcome('two'), await welcome('three')];
    const ids = pending.map((p) => p.id);
    child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: owner.databaseUrl,
        ADMIN_API_KEY: owner.adminKey,
        REDIS_PREFIX: owner.redisPrefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DATA_DIR: path.join(os.tmpdir(), `lg-restart-${process.pid}`),
        SCHEDULER_INTERVAL_MS: '100',
        DELIVERY_TIMEOUT_MS: '2000',
        SMTP_URL: `smtp://127.0.0.1:${(blackhole.address() as net.AddressInfo).port}`,
      },
    });
    await eventually(async () => (await rowsOf(ids)).every((r) => r.attempts === 1), 20_000, 'the child to claim the messages');
    await eventually(() => blackholeConnections === 3, 5_000, 'the child to be mid-delivery of all three');
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    expect(await rowsOf(ids)).toEqual(ids.map((id) => ({ id, status: 'PENDING', attempts: 1 })));
    expect(pending.map((p) => mailsTo(p.to))).toEqual([0, 0, 0]);

    // 3. A new instance delivers them once the dead process's lease runs out.
    const second = await startTestServer({ shared: shared(), env: deliveringEnv() });
    try {
      await eventually(async () => (await rowsOf(ids)).every((r) => r.status === 'SENT'), 20_000, 'delivery after restart');
    } finally {
      await second.close();
    }
    expect(await rowsOf(ids)).toEqual(ids.map((id) => ({ id, status: 'SENT', attempts: 2 })));

    // 4. Yet another instance finds nothing to send: nothing recorded SENT goes out again.
    const third = await startTestServer({ shared: shared(), env: deliveringEnv() });
    await quietFor(1_000);
    await third.close();
    expect([before, ...pending].map((p) => mailsTo(p.to))).toEqual([1, 1, 1, 1]);
  });

  it('two instances draining one outbox deliver every message exactly once', async () => {
    const batch = [];
    for (let i = 0; i < 40; i++) batch.push(await welcome(`many${i}`));
    const ids = batch.map((b) => b.id);
    const [a, b] = await Promise.all([startTestServer({ shared: shared(), env: deliveringEnv() }), startTestServer({ shared: shared(), env: deliveringEnv() })]);
    try {
      await eventually(async () => (await rowsOf(ids)).every((r) => r.status === 'SENT'), 20_000, 'all delivered');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect((await rowsOf(ids)).every((r) => r.attempts === 1)).toBe(true);
    expect(batch.map((m) => mailsTo(m.to))).toEqual(batch.map(() => 1));
  });
});

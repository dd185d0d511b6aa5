/**
 * The real process as a user runs it (`node dist/src/main.js`, built by pretest):
 * embedded PostgreSQL and in-process pub/sub when nothing is configured, the first
 * key printed once, data kept across restarts, SIGTERM drained with exit code 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BalanceChangedDocument, MeDocument } from '../generated/graphql';
import { HttpClient, WsClient } from '../helpers/graphql-client';
import { freePort } from '../../src/db/embedded-postgres';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  // Only what a user would set: no DATABASE_URL, no REDIS_URL.
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  while (!out.includes('"msg":"listening"')) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, url: `http://127.0.0.1:${port}/graphql`, exited };
}

async function stop(r: Running): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  r.child.kill('SIGTERM');
  const { code } = await r.exited;
  return { code, ms: Date.now() - t0 };
}

describe('the server process on embedded defaults', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineguard-proc-'));
  let running: Running | undefined;

  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with no database or Redis configured, prints a first key, and drains on SIGTERM', async () => {
    running = await start({ DATA_DIR: dataDir });
    const key = /\b(lg_[A-Za-z0-9_-]{20,})\b/.exec(running.output())?.[1];
    expect(key).toBeDefined();

    const ready = await fetch(running.url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: true, pubsub: 'in-process' });

    expect((await new HttpClient(running.url, key).data(MeDocument)).me.role).toBe('ADMIN');
    expect(await new HttpClient(running.url).errorCode(MeDocument)).toBe('UNAUTHENTICATED');

    // An open subscription must not hold the shutdown up: it is completed and the socket closed.
    const ws = new WsClient(running.url, key);
    const sub = ws.subscribe(BalanceChangedDocument, {});
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.errors).toEqual([]);
    const { code, ms } = await stop(running);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    await sub.ended();
    expect(await ws.closed()).toBeDefined();
    await ws.close();

    // Restart on the same data folder: the key still works, no new key is printed.
    running = await start({ DATA_DIR: dataDir });
    expect(running.output()).not.toMatch(/an ADMIN key was created/);
    expect((await new HttpClient(running.url, key).data(MeDocument)).me.role).toBe('ADMIN');
    expect((await stop(running)).code).toBe(0);
  }, 120_000);

  it('fails fast naming a bad variable', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('PORT');
  });
});

/**
 * The real process as a user runs it (`node dist/src/main.js`, built by pretest, and
 * `npm start` itself): embedded PostgreSQL and in-process pub/sub when nothing is
 * configured, the first key printed once, data kept across restarts, SIGTERM drained
 * with exit code 0 (also through npm), start-up failures logged with message and stack.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BalanceChangedDocument, MeDocument } from '../generated/graphql';
import { watchChild } from '../helpers/child-process';
import { eventually, HttpClient, WsClient } from '../helpers/graphql-client';
import { quietFor } from '../helpers/waits';
import { freePort } from '../../src/platform/db/embedded-postgres';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  printed: (text: string, timeoutMs: number) => Promise<void>;
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
  const { output, exited, printed } = watchChild(child);
  await printed('"msg":"listening"', 60_000);
  return { child, output, printed, url: `http://127.0.0.1:${port}/graphql`, exited };
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
    // The first key is printed after "listening", ending with its curl example.
    await running.printed(`"{ me { role } }"}'\n=====`, 10_000);
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
    await quietFor(300);
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

const ROOT = path.join(__dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `npm start` exactly as the README says, on a free port and the given data folder. */
async function npmStart(dataDir: string): Promise<Running & { port: number }> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited, printed } = watchChild(child);
  // npm start builds the server and the NOC console (Vite), then initialises the embedded PostgreSQL.
  await printed('"msg":"listening"', 180_000);
  return { child, output, printed, url: `http://127.0.0.1:${port}/graphql`, exited, port };
}

/** The processes npm started (its direct children). */
function childrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return out ? out.split(/\s+/).map(Number) : [];
}

describe('npm start as a user runs it', () => {
  let dataDir: string;
  const started: number[] = [];

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineguard-npm-'));
  });
  afterAll(() => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM to npm stops the server, frees its port and data folder, and the next start works', async () => {
    for (let round = 1; round <= 2; round++) {
      const npm = await npmStart(dataDir);
      const [server] = childrenOf(npm.child.pid!);
      started.push(npm.child.pid!, server);
      // npm's child is the server itself (the script execs node), not a shell in between.
      const [argv0, ...args] = fs.readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0');
      expect(path.basename(argv0)).toBe('node');
      expect(args).toContain('dist/src/main.js');
      expect((await fetch(npm.url.replace('/graphql', '/readyz'))).status).toBe(200);

      npm.child.kill('SIGTERM');
      await npm.exited;
      await eventually(() => !alive(server), 10_000, `server ${server} gone`);
      expect(await listening(npm.port)).toBe(false);
      expect(npm.output()).toContain('"msg":"stopped"');
    }
  }, 420_000);
});

describe('start-up failures are logged with message and stack', () => {
  const failedStart = async (env: Record<string, string>) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(await freePort()), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { output, exited } = watchChild(child);
    const { code } = await exited;
    const out = output();
    const line = out.split('\n').find((l) => l.includes('"msg":"start-up failed"'));
    return { code, entry: line ? (JSON.parse(line) as { level: string; err: { type: string; message: string; stack: string } }) : undefined, out };
  };

  it('an unreachable DATABASE_URL', async () => {
    const port = await freePort();
    const { code, entry } = await failedStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/lineguard` });
    expect(code).toBe(1);
    expect(entry).toMatchObject({ level: 'error', err: { message: expect.stringContaining(`ECONNREFUSED 127.0.0.1:${port}`) } });
    expect(entry!.err.stack).toMatch(/^Error: connect ECONNREFUSED[^\n]*\n\s+at /);
  });

  it('a data folder still held by a running server', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineguard-held-'));
    const holder = await start({ DATA_DIR: dataDir });
    try {
      const { code, entry, out } = await failedStart({ DATA_DIR: dataDir });
      expect(code).toBe(1);
      expect(entry?.err.message).toContain('lock file "postmaster.pid" already exists');
      expect(entry!.err.stack).toMatch(/^Error: embedded PostgreSQL did not start[^]*\n\s+at /);
      expect(out).not.toContain('"err":{}');
    } finally {
      await stop(holder);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

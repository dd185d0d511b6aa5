/**
 * A Redis server of the test's own (`redis-server` from PATH) on a free port, with no
 * persistence, that the test stops and starts again on the same port. The shared
 * Redis of the test run is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from '../../../src/platform/db/embedded-postgres';
import { stopChild } from '../../helpers/child-process';
import { disposeLater } from '../../helpers/disposal';

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(got.startsWith('+PONG')));
    socket.on('error', () => undefined);
  });
}

export class OwnRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    disposeLater(() => redis.stop());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await pong(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not answer');
      // Polled: a PONG is the readiness test (the server may log "ready" before it answers).
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, as a stuck Redis. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills the server (as a crash would) and waits until it is gone. */
  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGKILL');
  }
}

/**
 * The app as its own process for benchmarks: the client's work (serialising,
 * sending) must not share the server's event loop, as in production. Started with
 * fork(); reports its URL over IPC and closes on 'stop'.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startApp } from '../src/app/app';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { BENCH_RATE_LIMITS, BENCH_WEBHOOK_SECRET } from './bench-env';
import APP_NODE_FLAGS from './app-node-flags.json';

export interface AppProcess {
  url: string;
  /** The server's process id (its CPU time and memory are read from /proc). */
  pid: number;
  stop(): Promise<void>;
}

/** Forks this file as a server on `env` (DATABASE_URL, ADMIN_API_KEY...) and waits until it listens. */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  // Run as the production image runs the app (Dockerfile): NODE_ENV=production (graphql-js
  // and express skip their development checks) and its young-generation semi-spaces (app-node-flags.json:
  // a 5,000-record batch allocates tens of MB of short-lived objects).
  // Background jobs run as in production (every second: call-bucket compaction, windows, outbox).
  const child: ChildProcess = fork(path.join(__dirname, 'app-process.js'), ['--serve'], {
    execArgv: [...process.execArgv, ...APP_NODE_FLAGS],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET, ...BENCH_RATE_LIMITS, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`app process exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await startApp(config, createLogger(config.logLevel));
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('message', (m) => {
    if (m === 'stop') stop();
  });
  // The bench process died without saying stop: do not linger (and run jobs) without it.
  process.on('disconnect', stop);
  process.send!({ url: app.url });
}

if (require.main === module && process.argv.includes('--serve')) {
  serve().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

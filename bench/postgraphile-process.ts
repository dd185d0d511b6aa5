/**
 * PostGraphile 5 as its own process, the baseline of bench:lists (the server itself, and
 * how it is configured, is bench/postgraphile-server.ts). Forked like the Lineguard app
 * process: its own event loop, NODE_ENV=production; reports its URL over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PostGraphileProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** PostGraphile's connections' application_name, so the bench can tell its backends from Lineguard's. */
export const POSTGRAPHILE_APPLICATION_NAME = 'postgraphile';

/** Forks bench/postgraphile-server.ts as a PostGraphile server on `databaseUrl` and waits until it listens. */
export async function startPostGraphileProcess(databaseUrl: string): Promise<PostGraphileProcess> {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', POSTGRAPHILE_APPLICATION_NAME);
  const child: ChildProcess = fork(path.join(__dirname, 'postgraphile-server.js'), [], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', GRAPHILE_ENV: 'production', DATABASE_URL: url.toString() },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const serverUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`PostGraphile process exited with ${code}`)));
  });
  return {
    url: serverUrl,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** The installed PostGraphile's version (its package.json is not among its exports). */
export function postgraphileVersion(): string {
  const file = path.join(path.dirname(require.resolve('postgraphile')), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

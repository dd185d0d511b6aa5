/**
 * Processes a test starts (the server, npm, PostgreSQL, Redis): their output collected
 * from the first byte, their exit as a promise, and a stop that waits until they are gone.
 */
import type { ChildProcess } from 'node:child_process';

export interface WatchedChild {
  /** Everything the process printed so far (stdout and stderr, as piped). */
  output(): string;
  /** Resolves with the exit code / signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function watchChild(child: ChildProcess): WatchedChild {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { output: () => out, exited };
}

/** Sends the signal and waits until the process is gone; nothing to do if it already is. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

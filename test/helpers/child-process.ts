/**
 * Processes a test starts (the server, npm, PostgreSQL, Redis): their output collected
 * from the first byte, their exit as a promise, and a stop that waits until they are gone.
 */
import type { ChildProcess } from 'node:child_process';
import { Changes } from './waits';

export interface WatchedChild {
  /** Everything the process printed so far (stdout and stderr, as piped). */
  output(): string;
  /** Resolves with the exit code / signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output contains `text` (checked on every chunk); fails if the process exits first or after timeoutMs. */
  printed(text: string, timeoutMs: number): Promise<void>;
}

export function watchChild(child: ChildProcess): WatchedChild {
  let out = '';
  let gone = false;
  const changes = new Changes();
  const append = (d: Buffer) => {
    out += d;
    changes.changed();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      gone = true;
      changes.changed();
      resolve({ code, signal });
    }),
  );
  const printed = async (text: string, timeoutMs: number) => {
    await changes.until(() => gone || out.includes(text), timeoutMs, () => `${JSON.stringify(text)} in the output: ${out}`);
    if (!out.includes(text)) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before printing ${JSON.stringify(text)}: ${out}`);
  };
  return { output: () => out, exited, printed };
}

/** Sends the signal and waits until the process is gone; nothing to do if it already is. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

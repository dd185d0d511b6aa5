/**
 * A load generator in its own process (forked per run), so the client's CPU is never
 * spent in a server's event loop: a fixed number of keep-alive HTTP connections, each
 * sending its next POST as soon as the previous answer is read, like autocannon. A warm-up
 * first, then the measured window: requests started in it count; any non-200 answer or
 * GraphQL error fails the run.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  /** Answers received in the measured window. */
  requests: number;
  /** Every answer of the run, warm-up included. */
  answered: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs one load in a fresh child process and returns its measurement. */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const child = fork(path.join(__dirname, 'http-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m) => {
      const msg = m as { result?: LoadResult; error?: string };
      if (msg.error) reject(new Error(msg.error));
      else resolve(msg.result!);
    });
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    child.send(opts);
  });
}

function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200 || text.includes('"errors"')) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
        else resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

async function generate(opts: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const url = new URL(opts.url);
  const body = Buffer.from(opts.body);
  const now = () => performance.now();
  const measureFrom = now() + opts.warmupSeconds * 1000;
  const measureTo = measureFrom + opts.durationSeconds * 1000;
  const latencies: number[] = [];
  let answered = 0;
  const worker = async () => {
    while (now() < measureTo) {
      const started = now();
      await post(agent, url, opts.headers, body);
      answered++;
      const ended = now();
      if (ended >= measureFrom && ended < measureTo) latencies.push(ended - started);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const seconds = opts.durationSeconds;
  return { requests: latencies.length, answered, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

if (require.main === module) {
  process.once('message', (opts) => {
    generate(opts as LoadOptions).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
    );
  });
}

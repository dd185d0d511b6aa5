/**
 * CPU time of a server process and of its PostgreSQL backends, read from /proc, to split a
 * request's cost between the GraphQL server's Node process and the database. Backends are
 * told apart by application_name; they are only visible when PostgreSQL runs on this host
 * (otherwise the database side is reported as unknown). Approximate by nature: a backend
 * that closes during a run takes its CPU time with it.
 */
import fs from 'node:fs';
import type { Client } from 'pg';

const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process, or undefined when /proc does not show it as `comm`. */
function cpuSeconds(pid: number, comm?: string): number | undefined {
  try {
    if (comm && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) return undefined;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  node: number | undefined;
  /** CPU seconds per backend pid; undefined when the backends are not on this host. */
  backends: Map<number, number> | undefined;
}

/** CPU so far of the process `pid` and of the backends of `database` named `applicationName`. */
export async function cpuSnapshot(sql: Client, pid: number, applicationName: string): Promise<CpuSnapshot> {
  const rows = (
    await sql.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
      [applicationName],
    )
  ).rows;
  if (!fs.existsSync('/proc/self/stat')) return { node: undefined, backends: undefined };
  const backends = new Map<number, number>();
  for (const r of rows) {
    const s = cpuSeconds(r.pid, 'postgres');
    if (s === undefined) return { node: cpuSeconds(pid), backends: undefined };
    backends.set(r.pid, s);
  }
  return { node: cpuSeconds(pid), backends };
}

export interface CpuPerRequest {
  nodeMs: number | undefined;
  postgresMs: number | undefined;
}

/** Milliseconds of CPU per request between two snapshots over `requests` requests. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuPerRequest {
  const nodeMs = before.node !== undefined && after.node !== undefined ? ((after.node - before.node) * 1000) / requests : undefined;
  let postgresMs: number | undefined;
  if (before.backends && after.backends) {
    let seconds = 0;
    for (const [pid, s] of after.backends) seconds += s - (before.backends.get(pid) ?? 0);
    postgresMs = (seconds * 1000) / requests;
  }
  return { nodeMs, postgresMs };
}

/**
 * `npm run bench:lists`: the NOC dashboard's list queries, Lineguard against PostGraphile 5
 * (the SQL-compiling GraphQL server a team would otherwise put on the same PostgreSQL), on
 * one freshly migrated database with the same data, in one run. Per query: req/s, p50/p99
 * latency and SQL statements per request of each server, and the ratio of their rates.
 *
 * 1. Seed by SQL (bench/lists-seed.ts).
 * 2. Count and verify: both servers run behind a statement-counting proxy
 *    (bench/pg-statement-counter.ts), Lineguard with its schedulers off so only requests
 *    make statements; each query is asked of both and the ids of the answers must be the
 *    same (the run fails otherwise), then asked COUNT times more, counting statements.
 * 3. Time: fresh server processes connected straight to PostgreSQL; per query and round,
 *    each server in turn (the first one alternating by round) gets a warm-up and a timed
 *    window from a load generator process (bench/http-load.ts). A server's best round counts.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:lists
 * Smaller and faster while iterating: LISTS_CUSTOMERS=1000 LISTS_EVENTS=20000 LISTS_DURATION_S=3 ... (see
 * SETTINGS); LISTS_SHOW_SQL=1 prints the SQL each server sends per query.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { startAppProcess, type AppProcess } from './app-process';
import { openBenchServer } from './bench-env';
import { writeBenchmarkSections } from './benchmarks-file';
import { runLoad, type LoadResult } from './http-load';
import { cpuPerRequest, cpuSnapshot, type CpuPerRequest } from './process-cpu';
import { seedLists, type SeededCounts } from './lists-seed';
import { LIST_QUERIES, type GraphqlRequest, type IdTree, type ListQuery } from './lists-queries';
import { startStatementCounter, type StatementCounter } from './pg-statement-counter';
import { POSTGRAPHILE_APPLICATION_NAME, postgraphileVersion, startPostGraphileProcess, type PostGraphileProcess } from './postgraphile-process';

const SETTINGS = {
  LISTS_CUSTOMERS: 10_000,
  LISTS_EVENTS: 200_000,
  LISTS_CONNECTIONS: 8,
  LISTS_WARMUP_S: 3,
  LISTS_DURATION_S: 10,
  LISTS_ROUNDS: 2,
  LISTS_COUNT_REQUESTS: 20,
};
type Setting = keyof typeof SETTINGS;
const setting = (name: Setting) => Number(process.env[name] ?? SETTINGS[name]);

const ADMIN_KEY = `lg_bench_${randomBytes(12).toString('hex')}`;
/** Lineguard's limits a dashboard never meets but a load test would: the page-500 tree's estimated cost. */
const LINEGUARD_ENV = { ADMIN_API_KEY: ADMIN_KEY, MAX_QUERY_COST: '1000000000', LOG_LEVEL: 'error' };
const RATIO_TARGET = 0.5;

type ServerName = 'lineguard' | 'postgraphile';

interface Servers {
  lineguard: AppProcess;
  postgraphile: PostGraphileProcess;
}

const HEADERS: Record<ServerName, Record<string, string>> = {
  lineguard: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
  postgraphile: { 'content-type': 'application/json' },
};

async function ask(server: ServerName, url: string, req: GraphqlRequest): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: HEADERS[server], body: JSON.stringify(req) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (!res.ok || body.errors?.length || !body.data) throw new Error(`${server}: HTTP ${res.status} ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

async function startServers(urls: Record<ServerName, string>, lineguardEnv: Record<string, string>): Promise<Servers> {
  const [lineguard, postgraphile] = await Promise.all([
    startAppProcess({ DATABASE_URL: urls.lineguard, ...LINEGUARD_ENV, ...lineguardEnv }),
    startPostGraphileProcess(urls.postgraphile),
  ]);
  return { lineguard, postgraphile };
}

async function stopServers(s: Servers): Promise<void> {
  await Promise.all([s.lineguard.stop(), s.postgraphile.stop()]);
}

/** The nesting depths at which `tree` holds ids. */
function idDepths(tree: IdTree, depth = 1, found = new Set<number>()): Set<number> {
  for (const x of tree) {
    if (typeof x === 'string') found.add(depth);
    else idDepths(x, depth + 1, found);
  }
  return found;
}

/** Throws unless both answers hold the same ids in the same order, and the query found rows at every level. */
function checkSameRows(q: ListQuery, lineguard: unknown, postgraphile: unknown): void {
  const ids = q.lineguardIds(lineguard);
  const a = JSON.stringify(ids);
  const b = JSON.stringify(q.postgraphileIds(postgraphile));
  if (a !== b) {
    let at = 0;
    while (a[at] === b[at]) at++;
    throw new Error(`${q.label}: the servers answer different rows; from character ${at}:\n  Lineguard:    ${a.slice(at, at + 200)}\n  PostGraphile: ${b.slice(at, at + 200)}`);
  }
  if (idDepths(ids).size < q.idLevels) throw new Error(`${q.label}: a level of the answer has no rows (${a.slice(0, 200)}): the seed does not exercise this query`);
}

type StatementCounts = Record<ServerName, number>[];

/** Phase 2: same rows from both servers, and SQL statements per request of each. */
async function countStatements(databaseUrl: string): Promise<StatementCounts> {
  const counters: Record<ServerName, StatementCounter> = {
    lineguard: await startStatementCounter(databaseUrl),
    postgraphile: await startStatementCounter(databaseUrl),
  };
  const servers = await startServers({ lineguard: counters.lineguard.url, postgraphile: counters.postgraphile.url }, { SCHEDULER_INTERVAL_MS: '0' });
  const urls = { lineguard: servers.lineguard.url, postgraphile: servers.postgraphile.url };
  const requests = setting('LISTS_COUNT_REQUESTS');
  try {
    const counts: StatementCounts = [];
    for (const q of LIST_QUERIES) {
      checkSameRows(q, await ask('lineguard', urls.lineguard, q.lineguard), await ask('postgraphile', urls.postgraphile, q.postgraphile));
      const perRequest = {} as Record<ServerName, number>;
      for (const server of ['lineguard', 'postgraphile'] as const) {
        // Warm: prepared statements, plan caches, lazily built state.
        for (let i = 0; i < 5; i++) await ask(server, urls[server], q[server]);
        counters[server].reset();
        for (let i = 0; i < requests; i++) await ask(server, urls[server], q[server]);
        perRequest[server] = counters[server].statements / requests;
        if (process.env.LISTS_SHOW_SQL) {
          const distinct = [...new Set(counters[server].texts)];
          process.stderr.write(`\n--- ${server}, ${q.label}: ${perRequest[server]} statements per request; SQL sent:\n${distinct.join('\n;\n')}\n`);
        }
      }
      counts.push(perRequest);
      process.stderr.write(`${q.label}: same rows; statements per request: Lineguard ${perRequest.lineguard}, PostGraphile ${perRequest.postgraphile}\n`);
    }
    return counts;
  } finally {
    await stopServers(servers);
    await Promise.all([counters.lineguard.close(), counters.postgraphile.close()]);
  }
}

type Run = LoadResult & CpuPerRequest;
type Timings = Record<ServerName, Run[]>[];

const APPLICATION_NAME: Record<ServerName, string> = { lineguard: 'lineguard', postgraphile: POSTGRAPHILE_APPLICATION_NAME };

/** Phase 3: throughput and latency, each server alone under the same load, rounds interleaved; CPU per request of each side. */
async function time(databaseUrl: string): Promise<Timings> {
  const servers = await startServers({ lineguard: databaseUrl, postgraphile: databaseUrl }, {});
  const urls = { lineguard: servers.lineguard.url, postgraphile: servers.postgraphile.url };
  const timings: Timings = LIST_QUERIES.map(() => ({ lineguard: [], postgraphile: [] }));
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const snapshot = (server: ServerName) => cpuSnapshot(sql, servers[server].pid, APPLICATION_NAME[server]);
  try {
    for (let round = 0; round < setting('LISTS_ROUNDS'); round++) {
      const order: ServerName[] = round % 2 === 0 ? ['lineguard', 'postgraphile'] : ['postgraphile', 'lineguard'];
      for (const [i, q] of LIST_QUERIES.entries()) {
        for (const server of order) {
          const before = await snapshot(server);
          const load = await runLoad({
            url: urls[server],
            headers: HEADERS[server],
            body: JSON.stringify(q[server]),
            connections: setting('LISTS_CONNECTIONS'),
            warmupSeconds: setting('LISTS_WARMUP_S'),
            durationSeconds: setting('LISTS_DURATION_S'),
          });
          const r = { ...load, ...cpuPerRequest(before, await snapshot(server), load.answered) };
          timings[i][server].push(r);
          process.stderr.write(
            `round ${round + 1}, ${q.label}, ${server}: ${r.perSecond.toFixed(1)} req/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, CPU per request: Node ${ms(r.nodeMs)} ms, PostgreSQL ${ms(r.postgresMs)} ms\n`,
          );
        }
      }
    }
    return timings;
  } finally {
    await sql.end();
    await stopServers(servers);
  }
}

async function postgresVersion(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
  } finally {
    await c.end();
  }
}

const best = (rs: Run[]) => rs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
const ms = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(2));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const perRequest = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function render(seeded: SeededCounts, counts: StatementCounts, timings: Timings, machine: string): { text: string; met: boolean } {
  const ratios = timings.map((t) => best(t.lineguard).perSecond / best(t.postgraphile).perSecond);
  const rows = LIST_QUERIES.map((q, i) => {
    const [lg, pg] = [best(timings[i].lineguard), best(timings[i].postgraphile)];
    const rounds = (rs: Run[]) => rs.map((r) => fmt(r.perSecond)).join(', ');
    return `| ${q.label} | ${fmt(lg.perSecond)} (${rounds(timings[i].lineguard)}) | ${fmt(lg.p50Ms, 1)} / ${fmt(lg.p99Ms, 1)} | ${fmt(pg.perSecond)} (${rounds(timings[i].postgraphile)}) | ${fmt(pg.p50Ms, 1)} / ${fmt(pg.p99Ms, 1)} | **${ratios[i].toFixed(2)}x** | ${perRequest(counts[i].lineguard)} vs ${perRequest(counts[i].postgraphile)} |`;
  });
  // Queries 2 and 4 are the same tree at page 50 and page 500.
  const [page50, page500] = [counts[1].lineguard, counts[3].lineguard];
  const ratiosMet = ratios.every((r) => r >= RATIO_TARGET);
  // Whole statements: a write that is not per request (the API key's last-used time, once a minute) can add a fraction to either.
  const statementsMet = Math.round(page50) === Math.round(page500);
  const changed = (Object.keys(SETTINGS) as Setting[]).filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]} `);
  const lines = [
    '## Dashboard lists vs PostGraphile (bench/lists.bench.ts)',
    '',
    machine,
    `Command: \`DATABASE_URL=postgres://... ${changed.join('')}npm run bench:lists\`${changed.length ? ' (reduced size; the defaults are the full size)' : ''}.`,
    `Data, one freshly migrated database seeded by SQL and shared by both servers: ${fmt(seeded.customers)} customers in 20 classes, ${fmt(seeded.trunks)} trunks, ${fmt(seeded.hosts)} hosts, ${fmt(seeded.definitions)} alert rules, ${fmt(seeded.events)} alert events.`,
    `Servers, each its own process started by the bench, NODE_ENV=production: Lineguard (production build, as bench/app-process.ts starts it; ADMIN key; rate limits and MAX_QUERY_COST raised; background jobs on) and PostGraphile ${postgraphileVersion()} with postgraphile-plugin-connection-filter (Amber preset, default settings; smart tags enable filtering and sorting on the unindexed columns the queries use and the trunk -> hosts relation, see bench/postgraphile-server.ts).`,
    `Load: a separate load generator process, ${setting('LISTS_CONNECTIONS')} keep-alive connections, ${setting('LISTS_WARMUP_S')} s warm-up then ${setting('LISTS_DURATION_S')} s measured, per query and server; ${setting('LISTS_ROUNDS')} round(s), the first server alternating; the best round counts (every round's req/s in brackets).`,
    `Before timing, both servers answer each query with the same ids in the same order (checked); statements are counted on the wire over ${setting('LISTS_COUNT_REQUESTS')} requests per query (a proxy in front of PostgreSQL, Query and Execute messages; Lineguard's schedulers off meanwhile), then the proxy is out of the path.`,
    '',
    '| query | Lineguard req/s | p50 / p99 ms | PostGraphile req/s | p50 / p99 ms | Lineguard / PostGraphile | SQL statements per request (Lineguard vs PostGraphile) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `CPU per request in the best rounds, ms (the server's Node process; its PostgreSQL backends, by application_name, when PostgreSQL runs on this host), warm-up included:`,
    '',
    '| query | Lineguard Node | Lineguard PostgreSQL | PostGraphile Node | PostGraphile PostgreSQL |',
    '|---|---|---|---|---|',
    ...LIST_QUERIES.map((q, i) => {
      const [lg, pg] = [best(timings[i].lineguard), best(timings[i].postgraphile)];
      return `| ${q.label} | ${ms(lg.nodeMs)} | ${ms(lg.postgresMs)} | ${ms(pg.nodeMs)} | ${ms(pg.postgresMs)} |`;
    }),
    '',
    `Targets: Lineguard / PostGraphile at least ${RATIO_TARGET}x on each query: ${ratiosMet ? 'met' : 'NOT MET'}; Lineguard's statements per request the same for page 50 and page 500 (customers -> trunks -> hosts): ${perRequest(page50)} vs ${perRequest(page500)}, ${statementsMet ? 'met' : 'NOT MET'}.`,
    '',
  ];
  return { text: lines.join('\n'), met: ratiosMet && statementsMet };
}

export async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const bench = await openBenchServer();
  try {
    const database = await bench.freshDatabase('lists');
    try {
      const seeded = await seedLists(database.url, { customers: setting('LISTS_CUSTOMERS'), events: setting('LISTS_EVENTS') });
      process.stderr.write(`seeded ${JSON.stringify(seeded)}\n`);
      const counts = await countStatements(database.url);
      const timings = await time(database.url);
      const machine = `Machine: ${os.availableParallelism()} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${await postgresVersion(database.url)}; ${new Date().toISOString()}; load average (1 min) ${loadAtStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end.`;
      const { text, met } = render(seeded, counts, timings, machine);
      process.stdout.write(text + '\n');
      writeBenchmarkSections(text);
      if (!met) process.exitCode = 1;
    } finally {
      await database.drop();
    }
  } finally {
    await bench.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

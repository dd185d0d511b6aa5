/**
 * Named statements for the hot paths. node-postgres parses a named statement once per
 * connection and then only binds and executes it, so the server skips parsing and,
 * after a few runs, can keep a generic plan instead of planning every call (the CDR
 * batch's rule queries spent about 1 ms per batch in parse and plan).
 *
 * Only for statements whose best plan does not depend on the size of their array
 * parameters: the CDR insert's unnest arrays run from one row to 10,000, but it joins
 * them by hash whatever their size and keeps that plan as its generic one (cdr-insert.ts).
 * Statements whose keys are searched with `= ANY` (a generic plan walks the array element
 * by element), named for their small calls but also run over thousands of keys, go
 * through `sizedSql`.
 */
import { createHash } from 'node:crypto';

export interface PreparedSql {
  /** Unique in the process: one name, one text. */
  readonly name: string;
  readonly text: string;
}

const names = new Map<string, string>();

export function preparedSql(name: string, text: string): PreparedSql {
  const existing = names.get(name);
  // Two texts under one name would make the server refuse the second on every connection.
  if (existing !== undefined && existing !== text) throw new Error(`prepared statement name ${name} is used for two statements`);
  names.set(name, text);
  return { name, text };
}

export function isPreparedSql(sql: string | PreparedSql): sql is PreparedSql {
  return typeof sql !== 'string';
}

/**
 * Above this many keys a named statement is sent unnamed instead (sizedSql). A generic
 * plan assumes about ten elements per array: after five runs on a connection the server
 * switched the CDR batch's rule statement (4,400 customers, bench:scale) to its generic
 * plan, which took 2-3 s where the plan for the real sizes took 0.3-0.7 s. Below, the
 * generic plan's index probes are the right plan anyway, and planning per call costs:
 * at 64 a 5,000-record batch of 100 customers (bench:cdr) planned its rule statement on
 * every batch, 8 of its 12 ms. A switch's batch names tens to hundreds of customers.
 * (The rule statement itself is named at every size since its deltas are read by a hash
 * join whatever the plan: alert-engine.ts CDR_BATCH_RULES_SQL. The 2-3 s were that
 * search of the key array, per delta row.) Inside a CDR batch's transaction the unnamed
 * text gets a generic plan all the same: the insert sets plan_cache_mode to
 * force_generic_plan for the rest of it (cdr-insert.ts, plan_mode), and the statements
 * that run there (states, locks, events, notices) reach their keys through unnest or an
 * index condition, never a filter over the key array.
 */
export const GENERIC_PLAN_MAX_KEYS = 512;

/** `sql` as a named statement for up to GENERIC_PLAN_MAX_KEYS keys, its text (planned per call with the real sizes) above. */
export function sizedSql(sql: PreparedSql, keys: number): PreparedSql | string {
  return keys > GENERIC_PLAN_MAX_KEYS ? sql.text : sql;
}

/**
 * How many run-time texts (dynamicSql) a process names. Each named statement lives on
 * every pooled connection with its plan (tens of KB on the server for a page over a few
 * partitions), so the count is bounded: a dashboard uses a handful of filter and page-size
 * combinations; texts past the bound (a client trying every combination) go unnamed.
 */
export const MAX_DYNAMIC_STATEMENTS = 64;
const dynamic = new Map<string, PreparedSql>();

/**
 * A statement text built at run time (a list page: one text per filter, order and page
 * size) as a named statement, for the first MAX_DYNAMIC_STATEMENTS texts; plain text after.
 * A dashboard's page query then skips parse and plan: planning a page over the weekly
 * partitions of alert_events with its joins took longer (1.4 ms) than running it (1 ms).
 * Only for texts whose values are all parameters (an integer LIMIT written in is fine).
 */
export function dynamicSql(text: string): PreparedSql | string {
  const found = dynamic.get(text);
  if (found) return found;
  if (dynamic.size >= MAX_DYNAMIC_STATEMENTS) return text;
  const named = preparedSql(`dyn.${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text);
  dynamic.set(text, named);
  return named;
}

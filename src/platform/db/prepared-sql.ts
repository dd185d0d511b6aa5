/**
 * Named statements for the hot paths. node-postgres parses a named statement once per
 * connection and then only binds and executes it, so the server skips parsing and,
 * after a few runs, can keep a generic plan instead of planning every call (the CDR
 * batch's rule queries spent about 1 ms per batch in parse and plan).
 *
 * Only for statements whose best plan does not depend on the size of their array
 * parameters: the CDR insert, whose unnest arrays run from one row to 10,000, stays
 * unnamed so it is planned with the real sizes.
 */
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

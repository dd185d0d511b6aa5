/**
 * EXECUTE's arguments for a statement's bind parameters, for EXPLAIN EXECUTE in plan
 * tests: SQL's EXECUTE takes literals, where the app binds some arrays in binary
 * (src/platform/db/binary-array.ts). A Buffer becomes the server's own text for it (read
 * as `types[i]`), a JS array its literal, anything else its text.
 */
import type { Client } from 'pg';

export async function executeArgs(client: Client, types: readonly string[], values: readonly unknown[]): Promise<string> {
  // One query at a time: a client queues concurrent ones, and pg warns that it will stop
  // (the DeprecationWarning in CI's log came from here).
  const texts: string[] = [];
  for (const [i, v] of values.entries()) {
    if (Buffer.isBuffer(v)) texts.push((await client.query<{ t: string }>(`SELECT $1::${types[i]}::text AS t`, [v])).rows[0].t);
    else if (Array.isArray(v)) texts.push(`{${v.map(String).join(',')}}`);
    else texts.push(String(v));
  }
  return texts.map((t) => client.escapeLiteral(t)).join(', ');
}

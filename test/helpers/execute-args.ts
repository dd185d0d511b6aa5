/**
 * EXECUTE's arguments for a statement's bind parameters, for EXPLAIN EXECUTE in plan
 * tests: SQL's EXECUTE takes literals, where the app binds some arrays in binary
 * (src/platform/db/binary-array.ts). A Buffer becomes the server's own text for it (read
 * as `types[i]`), a JS array its literal, anything else its text.
 */
import type { Client } from 'pg';

export async function executeArgs(client: Client, types: readonly string[], values: readonly unknown[]): Promise<string> {
  const texts = await Promise.all(
    values.map(async (v, i) => {
      if (Buffer.isBuffer(v)) return (await client.query<{ t: string }>(`SELECT $1::${types[i]}::text AS t`, [v])).rows[0].t;
      if (Array.isArray(v)) return `{${v.map(String).join(',')}}`;
      return String(v);
    }),
  );
  return texts.map((t) => client.escapeLiteral(t)).join(', ');
}

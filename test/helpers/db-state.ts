/** Fingerprints of tables, so a test can assert that refused input changed nothing. */
import type { TestServer } from './test-server';

export async function tableDigest(server: TestServer, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await server.app.services.db.query<{ digest: string | null }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`,
    );
    out[table] = row.digest ?? '';
  }
  return out;
}

export const ACCOUNT_TABLES = ['customers', 'customer_classes', 'notification_templates', 'trunks', 'hosts', 'balance_ledger'];

/**
 * Columns written by reading, not by a change: authenticating stamps api_keys.last_used_at
 * (at most once a minute per key), whatever the request then does.
 */
const READ_STAMPS: Record<string, string[]> = { api_keys: ['last_used_at'] };

/** Every table of the schema but the migrations log. */
export async function allTables(server: TestServer): Promise<string[]> {
  const rows = await server.app.services.db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/**
 * A digest of every table in one statement (one snapshot: the tables are read at the
 * same instant), read stamps left out. Equal digests: no row added, removed or changed.
 */
export async function databaseDigest(server: TestServer, tables: string[]): Promise<Record<string, string>> {
  const parts = tables.map((table) => {
    const row = READ_STAMPS[table] ? `(to_jsonb(t) - '{${READ_STAMPS[table].join(',')}}'::text[])::text` : 't::text';
    return `SELECT '${table}' AS name, md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), '')) AS digest FROM ${table} t`;
  });
  const rows = await server.app.services.db.query<{ name: string; digest: string }>(parts.join('\nUNION ALL\n'));
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

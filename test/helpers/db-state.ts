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

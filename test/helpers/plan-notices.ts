import { Client } from 'pg';

/**
 * A session whose statements report their plans back to it: auto_explain for every
 * statement, functions' own statements included, at NOTICE level (collected in
 * `notices`), and generic plans bound as a CDR batch's transaction binds them.
 */
export async function planReportingClient(databaseUrl: string, notices: string[]): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  client.on('notice', (n) => notices.push(n.message ?? ''));
  await client.query(`LOAD 'auto_explain'`);
  await client.query(`SET auto_explain.log_min_duration = 0`);
  await client.query(`SET auto_explain.log_nested_statements = on`);
  await client.query(`SET auto_explain.log_level = notice`);
  await client.query(`SET plan_cache_mode = force_generic_plan`);
  return client;
}

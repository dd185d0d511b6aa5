import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One owner per address, and one customer per name.
 *
 * CDRs carry no port, so a source address must name one customer: an enabled host of an
 * INGRESS trunk may not have the same address or block (equal cidr, whatever the port) as
 * an enabled host of an ingress trunk of another customer. Nested blocks of different
 * lengths stay allowed; resolution takes the most specific (src/modules/cdr/customer-resolution.ts).
 * The trunk's own enabled flag does not count: a disabled trunk's hosts still resolve CDRs
 * (a call that happened is billed), so they keep their addresses.
 *
 * How the database enforces it, concurrent writers included: hosts carry a copy of their
 * trunk's customer_id and direction, kept exact by a composite foreign key to
 * trunks (id, customer_id, direction) ON UPDATE CASCADE (moving a trunk or changing its
 * direction rewrites its hosts' copy in the same statement) and filled on insert or trunk
 * change by a trigger (so every writer, SQL fixtures included, need not know the copy). An
 * exclusion constraint over that copy, EXCLUDE USING gist (ip WITH =, customer_id WITH <>)
 * WHERE (enabled AND trunk_direction = 'INGRESS'), then refuses a second owner whichever
 * write makes one: creating or updating a host, enabling it, moving a host or its trunk,
 * turning a trunk INGRESS. Like a unique index it waits for a concurrent uncommitted row,
 * so two creates at once cannot both pass. (A trigger with an advisory lock per address
 * would do the same in procedural code that every path must take; the constraint cannot
 * be forgotten, and its partial GiST index serves the CDR source lookup as well.)
 * btree_gist gives uuid its `<>` in a GiST index; it is a trusted extension (PostgreSQL 13+),
 * so a database owner may create it.
 *
 * Customer names become unique case-insensitively (customers_name_key on lower(name)).
 *
 * Existing data that breaks either rule is repaired, never refused, and every repair is
 * logged (a warning through TypeORM's migration log, which the server logs as JSON):
 * - duplicate names: the oldest customer (created_at, then id) keeps its name, each later
 *   one gets " (2)", " (3)", ... in that order, or the next free number when that name is
 *   taken (a customer already named "Acme (2)" keeps it);
 * - hosts with a second owner: the customer whose host CDRs were charged to until now keeps
 *   the address (the one with the lowest host id, the old resolver's tie-break, so no call
 *   changes customer through the upgrade); the other customers' enabled ingress hosts with
 *   that address are disabled, not deleted: an operator decides whose they are.
 *
 * down() removes the constraints, the copy and the trigger; names and hosts stay as
 * repaired (the log has what they were), and btree_gist stays (other objects may use it).
 */
export class AddressOwners1732406401230 implements MigrationInterface {
  name = 'AddressOwners1732406401230';

  async up(q: QueryRunner): Promise<void> {
    await this.renameDuplicateCustomers(q);
    await q.query(`CREATE UNIQUE INDEX customers_name_key ON customers (lower(name))`);

    await q.query(`ALTER TABLE hosts ADD COLUMN customer_id uuid, ADD COLUMN trunk_direction text`);
    await q.query(`UPDATE hosts h SET customer_id = t.customer_id, trunk_direction = t.direction FROM trunks t WHERE t.id = h.trunk_id`);
    await q.query(`ALTER TABLE hosts ALTER COLUMN customer_id SET NOT NULL, ALTER COLUMN trunk_direction SET NOT NULL`);
    await q.query(`ALTER TABLE trunks ADD CONSTRAINT trunks_owner_key UNIQUE (id, customer_id, direction)`);
    await q.query(`ALTER TABLE hosts DROP CONSTRAINT hosts_trunk_id_fkey`);
    await q.query(`
      ALTER TABLE hosts ADD CONSTRAINT hosts_trunk_owner_fkey FOREIGN KEY (trunk_id, customer_id, trunk_direction)
        REFERENCES trunks (id, customer_id, direction) ON UPDATE CASCADE ON DELETE CASCADE`);
    // KEY SHARE: the trunk cannot change owner or direction between this read and the
    // foreign key check (a concurrent move waits, or this reads its committed result).
    await q.query(`
      CREATE FUNCTION hosts_take_trunk_owner() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.trunk_id = OLD.trunk_id THEN
          RETURN NEW;
        END IF;
        SELECT customer_id, direction INTO NEW.customer_id, NEW.trunk_direction FROM trunks WHERE id = NEW.trunk_id FOR KEY SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER hosts_take_trunk_owner BEFORE INSERT OR UPDATE OF trunk_id ON hosts FOR EACH ROW EXECUTE FUNCTION hosts_take_trunk_owner()`);

    await this.disableSecondOwners(q);
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      ALTER TABLE hosts ADD CONSTRAINT hosts_one_address_owner
        EXCLUDE USING gist (ip inet_ops WITH =, customer_id WITH <>) WHERE (enabled AND trunk_direction = 'INGRESS')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hosts DROP CONSTRAINT hosts_one_address_owner`);
    await q.query(`DROP TRIGGER hosts_take_trunk_owner ON hosts`);
    await q.query(`DROP FUNCTION hosts_take_trunk_owner()`);
    await q.query(`ALTER TABLE hosts DROP CONSTRAINT hosts_trunk_owner_fkey`);
    await q.query(`ALTER TABLE hosts ADD CONSTRAINT hosts_trunk_id_fkey FOREIGN KEY (trunk_id) REFERENCES trunks (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE trunks DROP CONSTRAINT trunks_owner_key`);
    await q.query(`ALTER TABLE hosts DROP COLUMN customer_id, DROP COLUMN trunk_direction`);
    await q.query(`DROP INDEX customers_name_key`);
  }

  /**
   * Renames every later customer of a case-insensitive duplicate name to the first free
   * "name (n)", n from its rank up: a name nobody else had is never changed.
   */
  private async renameDuplicateCustomers(q: QueryRunner): Promise<void> {
    const later: { id: string; name: string; n: string }[] = await q.query(`
      SELECT id, name, n FROM (
        SELECT id, name, created_at, row_number() OVER (PARTITION BY lower(name) ORDER BY created_at, id) AS n FROM customers
      ) ranked WHERE n > 1 ORDER BY lower(name), n`);
    for (const c of later) {
      let n = Number(c.n);
      let name = `${c.name} (${n})`;
      while ((await q.query(`SELECT 1 FROM customers WHERE lower(name) = lower($1)`, [name])).length) name = `${c.name} (${++n})`;
      await q.query(`UPDATE customers SET name = $2, updated_at = now() WHERE id = $1`, [c.id, name]);
      this.log(q, `AddressOwners: customer ${c.id} renamed from ${JSON.stringify(c.name)} to ${JSON.stringify(name)} (customer names are unique, case-insensitive)`);
    }
  }

  /** Disables the enabled ingress hosts of every customer but the current owner of their address. */
  private async disableSecondOwners(q: QueryRunner): Promise<void> {
    const disabled: { id: string; ip: string; port: number | null; customer_id: string; customer_name: string; owner_id: string; owner_name: string }[] = await q.query(`
      WITH owner AS (
        SELECT DISTINCT ON (ip) ip, customer_id FROM hosts WHERE enabled AND trunk_direction = 'INGRESS' ORDER BY ip, id
      ), done AS (
        UPDATE hosts h SET enabled = false, updated_at = now()
          FROM owner o WHERE h.ip = o.ip AND h.enabled AND h.trunk_direction = 'INGRESS' AND h.customer_id <> o.customer_id
        RETURNING h.id, text(h.ip) AS ip, h.port, h.customer_id, o.customer_id AS owner_id
      )
      SELECT d.*, c.name AS customer_name, oc.name AS owner_name
        FROM done d JOIN customers c ON c.id = d.customer_id JOIN customers oc ON oc.id = d.owner_id
       ORDER BY d.ip, d.id`);
    for (const h of disabled) {
      this.log(
        q,
        `AddressOwners: host ${h.id} (${h.ip}${h.port ? ` port ${h.port}` : ''}) of customer ${h.customer_id} ${JSON.stringify(h.customer_name)} disabled: ` +
          `the address belongs to customer ${h.owner_id} ${JSON.stringify(h.owner_name)} (one owner per address: CDRs carry no port)`,
      );
    }
  }

  private log(q: QueryRunner, message: string): void {
    q.connection.logger.logMigration(message, q);
  }
}

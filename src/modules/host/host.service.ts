/**
 * Host writes. The address is normalised (an IPv4-mapped IPv6 address is its IPv4 form,
 * then Postgres' cidr); two enabled hosts with the same address and port are a CONFLICT
 * (partial unique index hosts_enabled_address_key), and so is an enabled ingress host
 * with the address of another customer's, whatever the port (one owner per address,
 * trunk/address-owners.ts). Every change runs the trunk-changed reaction (HOSTS_CHANGED)
 * for the trunks involved.
 */
import { badInput, conflict, notFound, sqlState } from '../../platform/common/errors';
import { constraintError } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { nonNegativeInt } from '../../platform/common/validation';
import type { Database } from '../../platform/db/database';
import { SqlParams, type ColumnCasts } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import { hostOwnerConflict } from '../trunk/address-owners';
import type { TrunkChange, TrunkChangedReaction } from '../trunk/trunk-change';
import type { HostInput } from './host.inputs';
import { HOST_COLUMNS, HostType, type HostRow } from './host.type';
import { hostAddress, hostBitsError, INVALID_TEXT_STATE } from './ip-address';

const SAME_PORT = 'hosts_enabled_address_key';
const UNIQUE = { [SAME_PORT]: () => conflict('An enabled host with this address and port already exists') };

// Postgres parses (and refuses) the address as cidr.
const CASTS: ColumnCasts = { ip: 'cidr' };

export class HostService {
  constructor(
    private readonly db: Database,
    private readonly reactToChange: TrunkChangedReaction,
  ) {}

  async create(_ctx: RequestContext, input: HostInput): Promise<HostType> {
    const values = this.values(input);
    return this.transaction(values, null, async (uow) => {
      const customerId = await this.lockTrunk(uow, values.trunk_id, input.trunkId);
      const q = new SqlParams();
      const [row] = await this.write(input.ip, () => uow.query<{ id: string }>(`INSERT INTO hosts ${q.insertValues(values, CASTS)} RETURNING id`, q.params));
      await this.emit(uow, [{ customerId, trunkId: values.trunk_id, change: 'HOSTS_CHANGED' }]);
      return this.read(uow, row.id);
    });
  }

  async update(_ctx: RequestContext, id: string, input: HostInput): Promise<HostType> {
    const local = fromGlobalId('Host', id);
    const values = this.values(input);
    return this.transaction(values, local, async (uow) => {
      const customerId = await this.lockTrunk(uow, values.trunk_id, input.trunkId);
      const q = new SqlParams();
      const hostId = q.param(local);
      const rows = await this.write(input.ip, () =>
        uow.query<{ previous_trunk_id: string; previous_customer_id: string }>(
          `WITH previous AS (SELECT h.trunk_id, t.customer_id FROM hosts h JOIN trunks t ON t.id = h.trunk_id WHERE h.id = ${hostId} FOR UPDATE OF h)
           UPDATE hosts SET ${q.assignments(values, ['updated_at = now()'], CASTS)} FROM previous WHERE hosts.id = ${hostId}
           RETURNING previous.trunk_id AS previous_trunk_id, previous.customer_id AS previous_customer_id`,
          q.params,
        ),
      );
      if (!rows.length) throw notFound('Host', id);
      const changes: TrunkChange[] = [{ customerId, trunkId: values.trunk_id, change: 'HOSTS_CHANGED' }];
      if (rows[0].previous_trunk_id !== values.trunk_id) {
        changes.push({ customerId: rows[0].previous_customer_id, trunkId: rows[0].previous_trunk_id, change: 'HOSTS_CHANGED' });
      }
      await this.emit(uow, changes);
      return this.read(uow, local);
    });
  }

  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('Host', id);
    return this.db.transaction(async (uow) => {
      const rows = await uow.query<{ trunk_id: string; customer_id: string }>(
        `DELETE FROM hosts h USING trunks t WHERE h.id = $1 AND t.id = h.trunk_id RETURNING h.trunk_id, t.customer_id`,
        [local],
      );
      if (!rows.length) throw notFound('Host', id);
      await this.emit(uow, [{ customerId: rows[0].customer_id, trunkId: rows[0].trunk_id, change: 'HOSTS_CHANGED' }]);
      return true;
    });
  }

  /** Column values of the fields given (address and trunk always; see ColumnValues). */
  private values(input: HostInput) {
    const ip = hostAddress(input.ip);
    const trunkId = fromGlobalId('Trunk', input.trunkId);
    if (input.port != null && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) throw badInput('port must be 1 to 65535', 'port');
    nonNegativeInt(input.callLimit, 'callLimit');
    nonNegativeInt(input.cpsLimit, 'cpsLimit');
    if (input.enabled === null) throw badInput('enabled cannot be null', 'enabled');
    return { ip, trunk_id: trunkId, port: input.port, enabled: input.enabled, call_limit: input.callLimit, cps_limit: input.cpsLimit };
  }

  /** Runs a write of the ip: host bits set (cidr input error) -> BAD_USER_INPUT. */
  private async write<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (sqlState(err) === INVALID_TEXT_STATE) throw hostBitsError(ip.trim());
      throw err;
    }
  }

  /**
   * Runs a host write in a transaction; a second owner of the address -> CONFLICT naming the
   * owner (read once the transaction has rolled back), the same address and port -> CONFLICT.
   */
  private async transaction<T>(values: { ip: string; trunk_id: string }, hostId: string | null, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (err) {
      throw (await hostOwnerConflict(this.db, err, SAME_PORT, { ip: values.ip, trunkId: values.trunk_id, hostId })) ?? constraintError(err, UNIQUE) ?? err;
    }
  }

  /** The trunk must exist (KEY SHARE until commit); returns its customer. */
  private async lockTrunk(uow: UnitOfWork, trunkId: string, globalId: string): Promise<string> {
    const [row] = await uow.query<{ customer_id: string }>(`SELECT customer_id FROM trunks WHERE id = $1 FOR KEY SHARE`, [trunkId]);
    if (!row) throw notFound('Trunk', globalId);
    return row.customer_id;
  }

  private emit(uow: UnitOfWork, changes: TrunkChange[]): Promise<void> {
    return this.reactToChange(uow, changes);
  }

  private async read(uow: UnitOfWork, localId: string): Promise<HostType> {
    const [row] = await uow.query<HostRow>(`SELECT ${HOST_COLUMNS} FROM hosts h JOIN trunks t ON t.id = h.trunk_id WHERE h.id = $1`, [localId]);
    return HostType.from(row);
  }
}

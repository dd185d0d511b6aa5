import { registerEnumType } from 'type-graphql';

/** What a key may do; see the contract's Role for the exact rules. */
export enum Role {
  ADMIN = 'ADMIN',
  NOC = 'NOC',
  INGEST = 'INGEST',
  CUSTOMER = 'CUSTOMER',
}

registerEnumType(Role, {
  name: 'Role',
  description:
    'ADMIN: everything. NOC: read everything and subscribe, no changes.\nINGEST: submitCdrs only. CUSTOMER: read and subscribe to its own customer\'s\ndata only (others\' ids answer NOT_FOUND).',
});

/** Roles allowed to read dashboard data (customers, trunks, alerts...). */
export const READ_ROLES = [Role.ADMIN, Role.NOC, Role.CUSTOMER];

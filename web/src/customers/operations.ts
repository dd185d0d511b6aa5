/** The customers board's and customer page's operations (typed by `npm run codegen`). */
import { graphql } from '../gql';

export const CustomerRow = graphql(`
  fragment CustomerRow on Customer {
    id
    name
    type
    status
    balance
    creditLimit
    availableCredit
    accruedCharges
    suspendedUntil
    customerClass {
      id
      name
    }
  }
`);

export const CustomersBoardQuery = graphql(`
  query CustomersBoard($first: Int!, $search: String) {
    lowest: customers(first: $first, orderBy: { field: AVAILABLE_CREDIT, direction: ASC }, filter: { search: $search }) {
      nodes {
        ...CustomerRow
      }
    }
    suspended: customers(first: 200, orderBy: { field: AVAILABLE_CREDIT, direction: ASC }, filter: { status: [SUSPENDED], search: $search }) {
      nodes {
        ...CustomerRow
      }
    }
  }
`);

export const LedgerHead = graphql(`
  query LedgerHead($customerId: ID) {
    ledgerEntries(first: 1, filter: { customerId: $customerId }) {
      edges {
        cursor
      }
    }
  }
`);

export const LedgerLine = graphql(`
  fragment LedgerLine on LedgerEntry {
    id
    cursor
    occurredAt
    reason
    delta
    balance
    accruedCharges
    reference
    cdrCount
  }
`);

/*
 * Staff-only fields (who made a ledger entry, the customer's incidents) are in operations of
 * their own: the server refuses an operation naming a field the key's role may not read,
 * whatever its @include says, so a CUSTOMER key's documents never name them.
 */
export const LedgerFeed = graphql(`
  subscription LedgerFeed($after: String, $customerId: ID) {
    ledgerEntryAdded(after: $after, customerId: $customerId) {
      ...LedgerLine
      customer {
        ...CustomerRow
      }
    }
  }
`);

export const LedgerFeedStaff = graphql(`
  subscription LedgerFeedStaff($after: String, $customerId: ID) {
    ledgerEntryAdded(after: $after, customerId: $customerId) {
      ...LedgerLine
      actor
      customer {
        ...CustomerRow
      }
    }
  }
`);

export const StatusFeed = graphql(`
  subscription StatusFeed($customerId: ID) {
    customerStatusChanged(customerId: $customerId) {
      ...CustomerRow
    }
  }
`);

export const LiftPenalty = graphql(`
  mutation LiftPenalty($customerId: ID!, $note: String) {
    liftPenalty(customerId: $customerId, note: $note) {
      ...CustomerRow
    }
  }
`);

export const CustomerPageQuery = graphql(`
  query CustomerPage($id: ID!, $minutes: Int!) {
    customer(id: $id) {
      ...CustomerRow
      company
      terms
      mainEmail
      nocEmail
      callLimit
      cpsLimit
      createdAt
      callStats(minutes: $minutes) {
        minutes
        calls
        answered
        asr
        acd
        spend
      }
      alertStates(first: 100) {
        triggered
        since
        value
        lastNotifiedAt
        definition {
          id
          title
          area
          operator
          threshold
        }
      }
      trunkCount
      trunks(first: 100) {
        id
        name
        enabled
        direction
        callLimit
        cpsLimit
        hosts(first: 20) {
          id
          ip
          port
          enabled
        }
      }
      ledger(first: 50) {
        nodes {
          ...LedgerLine
        }
      }
    }
  }
`);

export const CustomerStaffQuery = graphql(`
  query CustomerStaff($id: ID!) {
    customer(id: $id) {
      id
      ledger(first: 50) {
        nodes {
          id
          actor
        }
      }
    }
    alertIncidents(filter: { customerId: $id, status: [OPEN, ACKNOWLEDGED] }, first: 50) {
      nodes {
        ...IncidentRow
      }
    }
  }
`);

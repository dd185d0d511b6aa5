/** Real heavy queries that must pass the query limits, and attacks that must not. */

/** The heaviest queries the dashboards send; they must pass with the default limits. */
export const DASHBOARD = `query CustomersDeep($first: Int) {
  customers(first: $first) { totalCount nodes {
    id name trunkCount balance status
    customerClass { id name customerCount notificationTemplate { id name } }
    trunks { id name customer { id } hosts { id ip trunk { id } customer { id } } }
  } }
}`;
export const NOC_ALERTS = `query NocAlerts {
  alertEvents(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes {
    id cursor kind area value threshold message occurredAt
    customer { id name balance status }
    definition { id title area operator threshold customerClass { id name } }
  } }
}`;
/** A customer portal's own view: what a CUSTOMER key may read of its account. */
export const CUSTOMER_PORTAL = `query Portal($first: Int) {
  customers(first: $first) { totalCount nodes {
    id name trunkCount balance status
    customerClass { id name }
    trunks { id name hosts { id ip } }
  } }
}`;
/** What a switch selects (the README's INGEST example): its own submission's figures and ids. */
export const SUBMIT_CDRS = `mutation Submit($cdrs: [CdrInput!]!) {
  submitCdrs(cdrs: $cdrs) {
    accepted duplicates
    rejected { index callId code field reason }
    balanceChanges { customer { id } balance delta }
    alertEvents { kind subject }
  }
}`;

/** Fragments that each spread the next twice under two aliases: 2^22 customers from 1.9 KB. */
export function fragmentBomb(levels = 22): string {
  let doc = 'query Bomb { me { customer { ...F0 } } }\n';
  for (let i = 0; i < levels; i++) doc += `fragment F${i} on Customer { trunks { a: customer { ...F${i + 1} } b: customer { ...F${i + 1} } } }\n`;
  return doc + `fragment F${levels} on Customer { id name }\n`;
}

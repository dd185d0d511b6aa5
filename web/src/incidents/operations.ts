/** The incident board's operations (typed by `npm run codegen`). */
import { graphql } from '../gql';

export const IncidentRow = graphql(`
  fragment IncidentRow on AlertIncident {
    id
    status
    openedAt
    openedValue
    lastValue
    acknowledgedAt
    acknowledgedBy
    assignee
    snoozedUntil
    resolvedAt
    definition {
      id
      title
      area
      operator
      threshold
    }
    customer {
      id
      name
      customerClass {
        id
        name
      }
    }
  }
`);

/** Every kind, operator events included: they are delivered only when named. */
export const ALL_KINDS = ['TRIGGERED', 'REPEATED', 'RESOLVED', 'ACKNOWLEDGED', 'ASSIGNED', 'SNOOZED', 'COMMENTED'] as const;

export const StreamHead = graphql(`
  query StreamHead {
    alertEventsHead
  }
`);

export const BoardIncidents = graphql(`
  query BoardIncidents($after: String) {
    alertIncidents(filter: { status: [OPEN, ACKNOWLEDGED] }, first: 500, after: $after) {
      nodes {
        ...IncidentRow
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** An event as the timeline shows it. */
export const TimelineEvent = graphql(`
  fragment TimelineEvent on AlertEvent {
    id
    cursor
    kind
    occurredAt
    value
    threshold
    actor
    note
    subject
  }
`);

export const BoardEvents = graphql(`
  subscription BoardEvents($after: String, $kinds: [AlertEventKind!], $customerId: ID, $definitionId: ID) {
    alertEvents(after: $after, filter: { kinds: $kinds, customerId: $customerId, definitionId: $definitionId }) {
      ...TimelineEvent
      incident {
        ...IncidentRow
      }
    }
  }
`);

export const AcknowledgeIncident = graphql(`
  mutation AcknowledgeIncident($id: ID!, $note: String) {
    acknowledgeIncident(id: $id, note: $note) {
      ...IncidentRow
    }
  }
`);

export const AssignIncident = graphql(`
  mutation AssignIncident($id: ID!, $assignee: String) {
    assignIncident(id: $id, assignee: $assignee) {
      ...IncidentRow
    }
  }
`);

export const SnoozeIncident = graphql(`
  mutation SnoozeIncident($id: ID!, $until: DateTime!, $note: String) {
    snoozeIncident(id: $id, until: $until, note: $note) {
      ...IncidentRow
    }
  }
`);

export const CommentOnIncident = graphql(`
  mutation CommentOnIncident($id: ID!, $text: String!) {
    commentOnIncident(id: $id, text: $text) {
      ...IncidentRow
    }
  }
`);

export const IncidentPageQuery = graphql(`
  query IncidentPage($id: ID!) {
    alertIncident(id: $id) {
      ...IncidentRow
      notes {
        author
        text
        createdAt
      }
      definition {
        id
        title
        area
        operator
        threshold
        resetThreshold
        samplePeriod
        minCalls
        repeatInterval
        penalty
      }
      customer {
        id
        name
        status
        balance
        availableCredit
        suspendedUntil
      }
      events(first: 500) {
        nodes {
          ...TimelineEvent
        }
      }
    }
  }
`);

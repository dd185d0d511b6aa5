/**
 * Who reads what: one line per field of the schema (root operations included), four
 * columns in the order A(DMIN) N(OC) I(NGEST) C(USTOMER); a letter allows, '-' refuses.
 * The operation guard refuses any operation that selects a refused field before
 * anything executes (field-access.ts). Rows are still scoped by the services: a
 * CUSTOMER allowed on Customer.balance reads its own customer's balance only.
 *
 * The rules come from the contract's Role: ADMIN everything; NOC reads everything and
 * subscribes, and of changes only acts on incidents and lifts penalties; INGEST calls submitCdrs and reads its own submission's figures
 * and ids only; CUSTOMER reads its own customer's data, never rule recipients, other
 * customers, operator configuration or API keys other than the one it holds.
 *
 * Every field of the built schema needs a line and every line a field: the server
 * refuses to start otherwise, and test/security/role-matrix.test.ts proves each line
 * with real requests. A new field therefore waits for a decision here.
 */
export const FIELD_ACCESS: Readonly<Record<string, string>> = {
  // Root queries: the same roles as each resolver's @Authorized (the matrix test checks it).
  // node() answers only rows the caller may see; me is who the key is.
  'Query.alertDefinition': 'AN--',
  'Query.alertDefinitions': 'AN--',
  'Query.alertEvents': 'AN-C',
  // The stream's position: a CUSTOMER's own event cursors already show it; it names no event.
  'Query.alertEventsHead': 'AN-C',
  // Incidents are the NOC's working state (who acknowledged, assignees, notes): staff only.
  'Query.alertIncident': 'AN--',
  'Query.alertIncidents': 'AN--',
  'Query.apiKeys': 'AN--',
  'Query.cdrs': 'AN-C',
  'Query.customer': 'AN-C',
  'Query.customerClass': 'AN--',
  'Query.customerClasses': 'AN--',
  'Query.customers': 'AN-C',
  'Query.host': 'AN-C',
  'Query.hosts': 'AN-C',
  'Query.ledgerEntries': 'AN-C',
  'Query.me': 'ANIC',
  'Query.node': 'AN-C',
  'Query.notificationTemplates': 'AN--',
  'Query.notifications': 'AN-C',
  // Operator configuration (default recipients, status webhook URLs): staff only.
  'Query.settings': 'AN--',
  'Query.trunk': 'AN-C',
  'Query.trunks': 'AN-C',
  // A receiver's signing secret: whoever holds it can forge webhooks to that receiver.
  'Query.webhookSigningSecret': 'A---',

  // Changes are ADMIN's, except the switches' submitCdrs and the NOC's own work: acting
  // on incidents and lifting penalties (issue 14), and nothing else.
  'Mutation.acknowledgeIncident': 'AN--',
  'Mutation.assignIncident': 'AN--',
  'Mutation.commentOnIncident': 'AN--',
  'Mutation.liftPenalty': 'AN--',
  'Mutation.snoozeIncident': 'AN--',
  'Mutation.adjustBalance': 'A---',
  'Mutation.createAlertDefinition': 'A---',
  'Mutation.createApiKey': 'A---',
  'Mutation.createCustomer': 'A---',
  'Mutation.createCustomerClass': 'A---',
  'Mutation.createHost': 'A---',
  'Mutation.createNotificationTemplate': 'A---',
  'Mutation.createTrunk': 'A---',
  'Mutation.deleteAlertDefinition': 'A---',
  'Mutation.deleteCustomer': 'A---',
  'Mutation.deleteCustomerClass': 'A---',
  'Mutation.deleteHost': 'A---',
  'Mutation.deleteNotificationTemplate': 'A---',
  'Mutation.deleteTrunk': 'A---',
  'Mutation.recordPayment': 'A---',
  'Mutation.removeNotificationMessage': 'A---',
  'Mutation.resetBalance': 'A---',
  'Mutation.retryNotification': 'A---',
  'Mutation.revokeApiKey': 'A---',
  'Mutation.sendNotification': 'A---',
  'Mutation.setCustomerStatus': 'A---',
  'Mutation.setNotificationMessage': 'A---',
  'Mutation.submitCdrs': 'A-I-',
  'Mutation.testAlert': 'A---',
  'Mutation.updateAlertDefinition': 'A---',
  'Mutation.updateCustomer': 'A---',
  'Mutation.updateCustomerClass': 'A---',
  'Mutation.updateHost': 'A---',
  'Mutation.updateNotificationTemplate': 'A---',
  'Mutation.updateSettings': 'A---',
  'Mutation.updateTrunk': 'A---',

  // Subscriptions: readers; the services narrow a CUSTOMER to its own customer's events.
  'Subscription.alertEvents': 'AN-C',
  'Subscription.alertTriggered': 'AN-C',
  'Subscription.balanceChanged': 'AN-C',
  'Subscription.customerStatusChanged': 'AN-C',
  'Subscription.ledgerEntryAdded': 'AN-C',

  // Node.id: the id of whatever node() returned, and node() returns only visible rows.
  'Node.id': 'AN-C',

  // PageInfo of any list the caller may page through.
  'PageInfo.endCursor': 'AN-C',
  'PageInfo.hasNextPage': 'AN-C',
  'PageInfo.hasPreviousPage': 'AN-C',
  'PageInfo.startCursor': 'AN-C',

  // Who the key is. INGEST may ask its role (health checks: `{ me { role } }`) and its own
  // key's identity; a CUSTOMER also its customer. Nothing else of a key (see ApiKey).
  'Principal.apiKey': 'ANIC',
  'Principal.customer': 'AN-C',
  'Principal.role': 'ANIC',

  // API keys are operator data: NOC lists them, a CUSTOMER reaches only the key it holds
  // (me.apiKey) and reads its name and role, not the keys of its colleagues or their customer
  // link. INGEST likewise reads its own key's id, name and role.
  'ApiKey.createdAt': 'AN-C',
  'ApiKey.customer': 'AN--',
  'ApiKey.id': 'ANIC',
  'ApiKey.lastUsedAt': 'AN-C',
  'ApiKey.name': 'ANIC',
  'ApiKey.revokedAt': 'AN--',
  'ApiKey.role': 'ANIC',

  // Returned by createApiKey only; the secret is shown to ADMIN once.
  'CreatedApiKey.apiKey': 'A---',
  'CreatedApiKey.secret': 'A---',

  // The customer account. A CUSTOMER reads all of its own account (contacts, limits,
  // triggers: what the portal shows; the services never give it another customer's row).
  // INGEST sees a customer only as the id in its submission's balance changes.
  'Customer.accruedCharges': 'AN-C',
  'Customer.address': 'AN-C',
  'Customer.alertStates': 'AN-C',
  'Customer.availableCredit': 'AN-C',
  'Customer.balance': 'AN-C',
  'Customer.billingEmail': 'AN-C',
  'Customer.callDurationTrigger': 'AN-C',
  'Customer.callStats': 'AN-C',
  'Customer.callLimit': 'AN-C',
  'Customer.company': 'AN-C',
  'Customer.cpsLimit': 'AN-C',
  'Customer.createdAt': 'AN-C',
  'Customer.creditLimit': 'AN-C',
  'Customer.customerClass': 'AN-C',
  'Customer.id': 'ANIC',
  'Customer.ledger': 'AN-C',
  'Customer.lowBalanceReminder': 'AN-C',
  'Customer.lowBalanceThreshold': 'AN-C',
  'Customer.mainEmail': 'AN-C',
  'Customer.minProfitability': 'AN-C',
  'Customer.name': 'AN-C',
  'Customer.nocEmail': 'AN-C',
  'Customer.notificationsEnabled': 'AN-C',
  'Customer.phone': 'AN-C',
  'Customer.prepaidBalanceTrigger': 'AN-C',
  'Customer.ratesEmail': 'AN-C',
  'Customer.status': 'AN-C',
  'Customer.suspendedUntil': 'AN-C',
  'Customer.taxId': 'AN-C',
  'Customer.terms': 'AN-C',
  'Customer.testCredit': 'AN-C',
  'Customer.timeZone': 'AN-C',
  'Customer.trunkCount': 'AN-C',
  'Customer.trunks': 'AN-C',
  'Customer.type': 'AN-C',
  'Customer.updatedAt': 'AN-C',

  // A reminder schedule: a CUSTOMER reads its own customer's (Customer.lowBalanceReminder),
  // not its class's default (class defaults are operator configuration).
  'LowBalanceReminder.at': 'AN-C',
  'LowBalanceReminder.forDays': 'AN-C',
  'LowBalanceReminder.frequency': 'AN-C',
  'LowBalanceReminder.suspendAfterDays': 'AN-C',

  // Customer lists: a CUSTOMER's customers() holds its own row only.
  'CustomerConnection.edges': 'AN-C',
  'CustomerConnection.nodes': 'AN-C',
  'CustomerConnection.pageInfo': 'AN-C',
  'CustomerConnection.totalCount': 'AN-C',
  'CustomerEdge.cursor': 'AN-C',
  'CustomerEdge.node': 'AN-C',

  // A class is operator configuration. A CUSTOMER sees its own class's name and which
  // notifications it gets; not the class defaults, its template, nor the other customers
  // in it (customers, customerCount).
  'CustomerClass.createdAt': 'AN-C',
  'CustomerClass.customerCount': 'AN--',
  'CustomerClass.customers': 'AN--',
  'CustomerClass.defaultCallLimit': 'AN--',
  'CustomerClass.defaultCpsLimit': 'AN--',
  'CustomerClass.defaultCreditLimit': 'AN--',
  'CustomerClass.defaultTerms': 'AN--',
  'CustomerClass.description': 'AN-C',
  'CustomerClass.enabledNotifications': 'AN-C',
  'CustomerClass.id': 'AN-C',
  'CustomerClass.lowBalanceReminder': 'AN--',
  'CustomerClass.name': 'AN-C',
  'CustomerClass.notificationTemplate': 'AN--',
  'CustomerClass.updatedAt': 'AN-C',

  // The operator settings: the NOC's own addresses and the switches' status webhook URLs
  // (whoever reads a URL's token can call it). Never a CUSTOMER's or INGEST's.
  'Settings.alertEmails': 'AN--',
  'Settings.alertPhones': 'AN--',
  'Settings.alertWebhookUrls': 'AN--',
  'Settings.statusWebhookUrls': 'AN--',
  'Settings.timeZone': 'AN--',
  'Settings.updatedAt': 'AN--',

  // Templates are operator configuration (and their BCC lists are staff addresses).
  'NotificationTemplate.createdAt': 'AN--',
  'NotificationTemplate.id': 'AN--',
  'NotificationTemplate.messages': 'AN--',
  'NotificationTemplate.name': 'AN--',
  'NotificationTemplate.updatedAt': 'AN--',
  'NotificationMessage.bcc': 'AN--',
  'NotificationMessage.body': 'AN--',
  'NotificationMessage.kind': 'AN--',
  'NotificationMessage.sms': 'AN--',
  'NotificationMessage.subject': 'AN--',

  // One balance change: INGEST reads its submission's figures (and the customer's id).
  'BalanceChange.balance': 'ANIC',
  'BalanceChange.customer': 'ANIC',
  'BalanceChange.delta': 'ANIC',
  'BalanceChange.occurredAt': 'ANIC',
  'BalanceChange.previousBalance': 'ANIC',
  'BalanceChange.reason': 'ANIC',
  // The stored entry behind a change: its cursor resumes ledgerEntryAdded, which INGEST
  // cannot open, and its reference and actor are billing data, not a switch's business.
  'BalanceChange.ledgerEntry': 'AN-C',

  // The balance ledger: a CUSTOMER reads its own entries (the services scope the rows),
  // payment references and adjustment notes included: they are its own billing history.
  // Who made a change (actor, an API key's name) is operator data, like the keys
  // themselves: ADMIN and NOC only. INGEST reaches no entry (BalanceChange.ledgerEntry).
  'LedgerEntry.accruedCharges': 'AN-C',
  'LedgerEntry.actor': 'AN--',
  'LedgerEntry.balance': 'AN-C',
  'LedgerEntry.cdrCount': 'AN-C',
  'LedgerEntry.cursor': 'AN-C',
  'LedgerEntry.customer': 'AN-C',
  'LedgerEntry.delta': 'AN-C',
  'LedgerEntry.id': 'AN-C',
  'LedgerEntry.occurredAt': 'AN-C',
  'LedgerEntry.reason': 'AN-C',
  'LedgerEntry.reference': 'AN-C',
  'LedgerEntryConnection.edges': 'AN-C',
  'LedgerEntryConnection.nodes': 'AN-C',
  'LedgerEntryConnection.pageInfo': 'AN-C',
  'LedgerEntryConnection.totalCount': 'AN-C',
  'LedgerEntryEdge.cursor': 'AN-C',
  'LedgerEntryEdge.node': 'AN-C',

  // Trunks and hosts: a CUSTOMER reads its own (the services scope the rows).
  'Trunk.callLimit': 'AN-C',
  'Trunk.cpsLimit': 'AN-C',
  'Trunk.createdAt': 'AN-C',
  'Trunk.customer': 'AN-C',
  'Trunk.direction': 'AN-C',
  'Trunk.enabled': 'AN-C',
  'Trunk.hosts': 'AN-C',
  'Trunk.id': 'AN-C',
  'Trunk.name': 'AN-C',
  'Trunk.techPrefix': 'AN-C',
  'Trunk.updatedAt': 'AN-C',
  'TrunkConnection.edges': 'AN-C',
  'TrunkConnection.nodes': 'AN-C',
  'TrunkConnection.pageInfo': 'AN-C',
  'TrunkConnection.totalCount': 'AN-C',
  'TrunkEdge.cursor': 'AN-C',
  'TrunkEdge.node': 'AN-C',
  'Host.callLimit': 'AN-C',
  'Host.cpsLimit': 'AN-C',
  'Host.createdAt': 'AN-C',
  'Host.customer': 'AN-C',
  'Host.enabled': 'AN-C',
  'Host.id': 'AN-C',
  'Host.ip': 'AN-C',
  'Host.port': 'AN-C',
  'Host.trunk': 'AN-C',
  'Host.updatedAt': 'AN-C',
  'HostConnection.edges': 'AN-C',
  'HostConnection.nodes': 'AN-C',
  'HostConnection.pageInfo': 'AN-C',
  'HostConnection.totalCount': 'AN-C',
  'HostEdge.cursor': 'AN-C',
  'HostEdge.node': 'AN-C',

  // An alert rule. Its recipients (emails, phones, webhookUrls with their tokens), its
  // penalty, its template, its scope (customer, class, account type) and its states
  // across customers are operator data. A CUSTOMER reaches a rule only through its own
  // alert states and events and reads what the rule watches: title, condition, timing.
  // INGEST reads a rule's id in its submission's alert events.
  'AlertDefinition.accountType': 'AN--',
  'AlertDefinition.area': 'AN-C',
  'AlertDefinition.builtin': 'AN-C',
  'AlertDefinition.createdAt': 'AN-C',
  'AlertDefinition.customer': 'AN--',
  'AlertDefinition.customerClass': 'AN--',
  'AlertDefinition.deletedAt': 'AN-C',
  'AlertDefinition.emails': 'AN--',
  'AlertDefinition.enabled': 'AN-C',
  'AlertDefinition.id': 'ANIC',
  'AlertDefinition.minCalls': 'AN-C',
  'AlertDefinition.notifyCustomer': 'AN-C',
  'AlertDefinition.operator': 'AN-C',
  'AlertDefinition.penalty': 'AN--',
  'AlertDefinition.phones': 'AN--',
  'AlertDefinition.repeatInterval': 'AN-C',
  'AlertDefinition.resetThreshold': 'AN-C',
  'AlertDefinition.samplePeriod': 'AN-C',
  'AlertDefinition.states': 'AN--',
  'AlertDefinition.template': 'AN--',
  'AlertDefinition.threshold': 'AN-C',
  'AlertDefinition.title': 'AN-C',
  'AlertDefinition.updatedAt': 'AN-C',
  'AlertDefinition.webhookUrls': 'AN--',
  'AlertDefinitionConnection.edges': 'AN--',
  'AlertDefinitionConnection.nodes': 'AN--',
  'AlertDefinitionConnection.pageInfo': 'AN--',
  'AlertDefinitionConnection.totalCount': 'AN--',
  'AlertDefinitionEdge.cursor': 'AN--',
  'AlertDefinitionEdge.node': 'AN--',

  // Where a rule stands for one customer: a CUSTOMER reads its own (Customer.alertStates).
  'AlertState.customer': 'AN-C',
  'AlertState.definition': 'AN-C',
  'AlertState.lastNotifiedAt': 'AN-C',
  'AlertState.since': 'AN-C',
  'AlertState.triggered': 'AN-C',
  'AlertState.value': 'AN-C',

  // An alert event: a CUSTOMER reads its own. INGEST reads the events its submission
  // caused as figures and ids (the README's switch shows kind and subject); the message
  // body (rendered with customer details) and the penalty are not a switch's business.
  'AlertEvent.area': 'ANIC',
  'AlertEvent.cursor': 'ANIC',
  'AlertEvent.customer': 'ANIC',
  'AlertEvent.definition': 'ANIC',
  'AlertEvent.id': 'ANIC',
  // The incident and who acted, with what note: operator data (a CUSTOMER's feeds carry
  // no operator events either).
  'AlertEvent.actor': 'AN--',
  'AlertEvent.incident': 'AN--',
  'AlertEvent.note': 'AN--',
  'AlertEvent.kind': 'ANIC',
  'AlertEvent.message': 'AN-C',
  'AlertEvent.occurredAt': 'ANIC',
  'AlertEvent.penaltyUntil': 'AN-C',
  'AlertEvent.subject': 'ANIC',
  'AlertEvent.test': 'ANIC',
  'AlertEvent.threshold': 'ANIC',
  'AlertEvent.value': 'ANIC',
  'AlertEventConnection.edges': 'AN-C',
  'AlertEventConnection.nodes': 'AN-C',
  'AlertEventConnection.pageInfo': 'AN-C',
  'AlertEventConnection.totalCount': 'AN-C',
  'AlertEventEdge.cursor': 'AN-C',
  'AlertEventEdge.node': 'AN-C',

  // Incidents: ADMIN and NOC only (see Query.alertIncidents).
  'AlertIncident.acknowledgedAt': 'AN--',
  'AlertIncident.acknowledgedBy': 'AN--',
  'AlertIncident.assignee': 'AN--',
  'AlertIncident.customer': 'AN--',
  'AlertIncident.definition': 'AN--',
  'AlertIncident.events': 'AN--',
  'AlertIncident.id': 'AN--',
  'AlertIncident.lastValue': 'AN--',
  'AlertIncident.notes': 'AN--',
  'AlertIncident.openedAt': 'AN--',
  'AlertIncident.openedValue': 'AN--',
  'AlertIncident.resolvedAt': 'AN--',
  'AlertIncident.snoozedUntil': 'AN--',
  'AlertIncident.status': 'AN--',
  'AlertIncidentConnection.edges': 'AN--',
  'AlertIncidentConnection.nodes': 'AN--',
  'AlertIncidentConnection.pageInfo': 'AN--',
  'AlertIncidentConnection.totalCount': 'AN--',
  'AlertIncidentEdge.cursor': 'AN--',
  'AlertIncidentEdge.node': 'AN--',
  'IncidentNote.author': 'AN--',
  'IncidentNote.createdAt': 'AN--',
  'IncidentNote.text': 'AN--',

  // Returned by testAlert only (ADMIN); recipients are the rule's.
  'AlertTestResult.customer': 'A---',
  'AlertTestResult.definition': 'A---',
  'AlertTestResult.delivered': 'A---',
  'AlertTestResult.message': 'A---',
  'AlertTestResult.recipients': 'A---',
  'AlertTestResult.subject': 'A---',
  'AlertTestResult.value': 'A---',
  'AlertTestResult.wouldTrigger': 'A---',

  // CDRs: a CUSTOMER reads its own calls. INGEST writes CDRs but reads none back.
  'Cdr.callId': 'AN-C',
  'Cdr.callee': 'AN-C',
  'Cdr.caller': 'AN-C',
  'Cdr.charge': 'AN-C',
  'Cdr.customer': 'AN-C',
  'Cdr.disposition': 'AN-C',
  'Cdr.duration': 'AN-C',
  'Cdr.id': 'AN-C',
  'Cdr.ingestedAt': 'AN-C',
  'Cdr.startedAt': 'AN-C',
  'Cdr.trunk': 'AN-C',
  'CdrConnection.edges': 'AN-C',
  'CdrConnection.nodes': 'AN-C',
  'CdrConnection.pageInfo': 'AN-C',
  'CdrConnection.totalCount': 'AN-C',
  'CdrEdge.cursor': 'AN-C',
  'CdrEdge.node': 'AN-C',
  // A customer's traffic figures (Customer.callStats): its own for a CUSTOMER, like its CDRs.
  'CallStats.acd': 'AN-C',
  'CallStats.answered': 'AN-C',
  'CallStats.asr': 'AN-C',
  'CallStats.calls': 'AN-C',
  'CallStats.durationSeconds': 'AN-C',
  'CallStats.from': 'AN-C',
  'CallStats.minutes': 'AN-C',
  'CallStats.spend': 'AN-C',
  'CallStats.to': 'AN-C',

  // The outcome of submitCdrs: all of it is the submission's own figures.
  'CdrBatchResult.accepted': 'A-I-',
  'CdrBatchResult.alertEvents': 'A-I-',
  'CdrBatchResult.balanceChanges': 'A-I-',
  'CdrBatchResult.duplicates': 'A-I-',
  'CdrBatchResult.rejected': 'A-I-',
  'CdrRejection.callId': 'A-I-',
  'CdrRejection.code': 'A-I-',
  'CdrRejection.field': 'A-I-',
  'CdrRejection.index': 'A-I-',
  'CdrRejection.reason': 'A-I-',

  // The delivery log: a CUSTOMER reads the messages sent to it (the service leaves out
  // those that went to a rule's staff recipients).
  'Notification.alertEvent': 'AN-C',
  'Notification.attempts': 'AN-C',
  'Notification.body': 'AN-C',
  'Notification.channel': 'AN-C',
  'Notification.createdAt': 'AN-C',
  'Notification.customer': 'AN-C',
  'Notification.id': 'AN-C',
  'Notification.kind': 'AN-C',
  'Notification.lastError': 'AN-C',
  'Notification.recipient': 'AN-C',
  'Notification.sentAt': 'AN-C',
  'Notification.status': 'AN-C',
  'Notification.subject': 'AN-C',
  'NotificationConnection.edges': 'AN-C',
  'NotificationConnection.nodes': 'AN-C',
  'NotificationConnection.pageInfo': 'AN-C',
  'NotificationConnection.totalCount': 'AN-C',
  'NotificationEdge.cursor': 'AN-C',
  'NotificationEdge.node': 'AN-C',
};

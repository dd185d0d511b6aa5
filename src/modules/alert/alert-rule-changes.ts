/**
 * Rules look now: when a rule is created, changed, enabled, disabled or deleted, or a
 * customer's own triggers, thresholds, class or account type change, the pairs it
 * concerns are evaluated in the same transaction, as the current values say, instead
 * of waiting for the customer's next balance change.
 *
 * Set-based like every other pass (a class- or type-wide rule can cover tens of
 * thousands of customers): one statement locks the customers concerned in id order,
 * one statement removes the states that no longer apply and reads the balance
 * candidates, the engine's pure evaluator decides, one upsert and one event write
 * follow. A rule's windowed pairs (ASR, ACD, SPEND, CALL_COUNT) are left to the windows'
 * next pass, which reads every customer with calls in a window or a triggered windowed
 * state since each rule change clears the pass's mark (restartWindowPasses); a changed
 * customer's windows are evaluated at once (customersChanged). CALL_DURATION keeps no
 * state and does not look back at stored calls.
 *
 * A triggered state whose pair no longer exists as it was (rule disabled, deleted, its
 * area or operator changed, the customer out of its scope, a built-in trigger turned
 * off) resolves with a RESOLVED event that says why, and the state is deleted.
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { lockCustomers } from '../balance/customer-locks';
import { BALANCE_AREAS, type AlertArea, type AlertOperator } from './alert.enums';
import {
  BALANCE_VALUE_SQL,
  CANDIDATE_FILTER,
  RULE_COLUMNS,
  SCOPE_SQL,
  THRESHOLD_SQL,
  balanceCandidatesSql,
  type AlertEngine,
  type RuleRow,
} from './alert-engine';
import type { CreatedAlertEvent } from './alert-event';
import { restartWindowPasses } from './alert-window-passes';

/**
 * Whether the customer is in the rule's scope, never null: SCOPE_SQL is null, not false,
 * for a customer outside it when a class is null on either side (NULL = x), and NOT null
 * is null too, which would keep a stale state.
 */
const IN_SCOPE_SQL = `coalesce(${SCOPE_SQL}, false)`;

/**
 * Whether pair (d, c) is still a live, stateful pair: `restart` says the rule changed
 * what it measures (its old states describe another condition and start over).
 */
function appliesSql(restart: string): string {
  return `(d.enabled AND d.deleted_at IS NULL AND NOT ${restart} AND d.area <> 'CALL_DURATION'
    AND ${IN_SCOPE_SQL} AND ${THRESHOLD_SQL} IS NOT NULL)`;
}

/** Why a pair that appliesSql() refuses resolves (the first reason that holds). */
function resolvedBecauseSql(restart: string): string {
  return `CASE WHEN d.deleted_at IS NOT NULL THEN 'the rule was deleted'
    WHEN NOT d.enabled THEN 'the rule was disabled'
    WHEN ${restart} OR d.area = 'CALL_DURATION' THEN 'the rule was changed'
    WHEN NOT ${IN_SCOPE_SQL} THEN 'the rule no longer applies to this customer'
    ELSE 'the customer''s trigger was turned off' END`;
}

/**
 * CTE `stale`: deletes the states (of the pairs `where` selects) that no longer apply,
 * returning them. `defs` is the definitions relation, aliased d.
 */
function staleCte(defs: string, where: string, restart: string): string {
  return `stale AS (
  DELETE FROM alert_states s USING ${defs} d, customers c
   WHERE ${where} AND d.id = s.definition_id AND c.id = s.customer_id AND NOT ${appliesSql(restart)}
  RETURNING s.definition_id, s.customer_id, s.triggered, s.value
)`;
}

/**
 * The triggered ones among the deleted states, as RESOLVED candidates. Their threshold:
 * the one in force, or for a built-in trigger turned off the one of the pair's last
 * event (coalesce stops at the first non-null, so that lookup runs only then).
 */
function staleRowsSql(defs: string, restart: string): string {
  return `
SELECT d.id AS definition_id, c.id AS customer_id, c.name AS customer_name, c.customer_class_id, d.title, d.area, d.operator,
       coalesce(${THRESHOLD_SQL},
                (SELECT e.threshold FROM alert_events e WHERE e.customer_id = c.id AND e.definition_id = d.id ORDER BY e.id DESC LIMIT 1),
                d.threshold) AS threshold,
       d.reset_threshold, d.penalty, true AS triggered, st.value, ${resolvedBecauseSql(restart)} AS resolved_because
  FROM stale st
  JOIN ${defs} d ON d.id = st.definition_id
  JOIN customers c ON c.id = st.customer_id
 WHERE st.triggered AND st.value IS NOT NULL`;
}

/**
 * The rules in $1 over every customer they concern: their stale states resolved, then
 * their balance candidates among all the customers in their scope ($2: the balance
 * areas). ($3, $4, $5): the area and operator each updated rule had; a rule whose area
 * or operator changed restarts. The customers come from the rules' scope, not from a
 * list, so the statement does not grow with them.
 */
const RULES_SQL = `
WITH rules AS MATERIALIZED (
  SELECT d.*, coalesce(p.area <> d.area OR p.operator <> d.operator, false) AS restart
    FROM alert_definitions d
    LEFT JOIN unnest($3::uuid[], $4::text[], $5::text[]) AS p(id, area, operator) ON p.id = d.id
   WHERE d.id = ANY($1::uuid[])
), ${staleCte('rules', 's.definition_id = ANY($1::uuid[])', 'd.restart')}
${staleRowsSql('rules', 'd.restart')}
UNION ALL
SELECT * FROM (
  SELECT ${RULE_COLUMNS}, coalesce(s.triggered, false) AND NOT d.restart AS triggered, ${BALANCE_VALUE_SQL} AS value,
         NULL::text AS resolved_because
    FROM rules d
    JOIN customers c ON ${SCOPE_SQL}
    LEFT JOIN alert_states s ON s.definition_id = d.id AND s.customer_id = c.id
   WHERE d.enabled AND d.deleted_at IS NULL AND d.area = ANY($2::text[])
) x WHERE ${CANDIDATE_FILTER}`;

/**
 * Locks, in id order, every customer the rules in $1 concern: those in the scope of an
 * enabled balance-area rule (evaluated now) and those with a state of one of them
 * (which may resolve). Counted, not returned: a class-wide rule locks thousands.
 */
const LOCK_RULE_CUSTOMERS_SQL = `
SELECT count(*)::int AS locked FROM (
  SELECT k.id FROM customers k
   WHERE k.id IN (SELECT c.id FROM alert_definitions d JOIN customers c ON ${SCOPE_SQL}
                   WHERE d.id = ANY($1::uuid[]) AND d.enabled AND d.deleted_at IS NULL AND d.area = ANY($2::text[])
                  UNION ALL
                  SELECT s.customer_id FROM alert_states s WHERE s.definition_id = ANY($1::uuid[]))
   ORDER BY k.id
     FOR NO KEY UPDATE
) locked`;

/** The customers in $1 against every rule: states that no longer apply resolved, then their balance candidates ($2: areas). */
const CUSTOMERS_SQL = `
WITH ${staleCte('alert_definitions', 's.customer_id = ANY($1::uuid[])', 'false')}
${staleRowsSql('alert_definitions', 'false')}
UNION ALL
SELECT x.*, NULL::text AS resolved_because FROM (${balanceCandidatesSql('$1', '$2')}) x`;

/** The condition a rule's states were evaluated under. */
export interface RuleCondition {
  area: AlertArea;
  operator: AlertOperator;
  threshold: string;
  resetThreshold: string | null;
}

/** A rule written in this transaction; `previous`: its condition before an update (null when created or deleted). */
export interface ChangedRule {
  id: string;
  previous: RuleCondition | null;
}

export class AlertRuleChanges {
  constructor(private readonly engine: AlertEngine) {}

  /**
   * Rules just written in this transaction (created, updated, enabled, disabled or
   * soft-deleted), over all their customers. A rule whose area or operator changed
   * starts over: its old states resolve (with the condition they were under) and its
   * customers are evaluated as if it were new.
   */
  async rulesChanged(uow: UnitOfWork, rules: ChangedRule[]): Promise<CreatedAlertEvent[]> {
    if (rules.length === 0) return [];
    const ids = rules.map((r) => r.id);
    await uow.query(LOCK_RULE_CUSTOMERS_SQL, [ids, BALANCE_AREAS]);
    // After the customers' locks: the one row after them.
    await restartWindowPasses(uow);
    const updated = rules.filter((r) => r.previous !== null);
    const rows = await uow.query<RuleRow>(RULES_SQL, [
      ids,
      BALANCE_AREAS,
      updated.map((r) => r.id),
      updated.map((r) => r.previous!.area),
      updated.map((r) => r.previous!.operator),
    ]);
    // A stale state was evaluated under the rule's previous condition: its RESOLVED says that one.
    const previous = new Map(updated.map((r) => [r.id, r.previous!]));
    for (const row of rows) {
      const before = row.resolved_because ? previous.get(row.definition_id) : undefined;
      if (before) Object.assign(row, { area: before.area, operator: before.operator, threshold: before.threshold, reset_threshold: before.resetThreshold });
    }
    return this.engine.applyStateful(uow, rows);
  }

  /**
   * Customers whose triggers, thresholds, credit limit, class or account type were just
   * written in this transaction: their stale states resolved, then their balance and
   * windowed candidates, all evaluated now. Their windows are read here rather than left
   * to the windows' next pass: a few customers' windows cost one statement, where
   * clearing the pass's mark made the next pass read every customer with calls in a window
   * (20,000 in bench:scale), for any customer edit, a credit limit's included. A pass
   * running meanwhile reads them under their locks, before or after this transaction, and
   * after it their windows move only when a call leaves them, which the passes follow.
   */
  async customersChanged(uow: UnitOfWork, customerIds: string[]): Promise<CreatedAlertEvent[]> {
    if (customerIds.length === 0) return [];
    await lockCustomers(uow, customerIds);
    const ids = [...new Set(customerIds)];
    const rows = await uow.query<RuleRow>(CUSTOMERS_SQL, [ids, BALANCE_AREAS]);
    return this.engine.applyStateful(uow, [...rows, ...(await this.engine.windowCandidates(uow, ids))]);
  }
}

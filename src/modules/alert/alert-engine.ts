/**
 * AlertEngine: evaluates alert rules inside the transaction of the change that caused
 * it (balance changes, charged CDRs) and for sliding windows. Every pass is set-based:
 * one query loads the applicable rules, values and states of all affected customers,
 * the pure evaluator decides, one statement upserts the states and one inserts events.
 */
import { normaliseDecimal } from '../../platform/common/decimal';
import { lockCustomers } from '../balance/customer-locks';
import { BUILT_IN_THRESHOLDS } from '../customer/customer-rules-change';
import { binaryBoolArray, binaryInt4Array, binaryUuidArray } from '../../platform/db/binary-array';
import { preparedSql, sizedSql } from '../../platform/db/prepared-sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { acdSql, asrSql, partialMinuteCallsSql } from '../cdr/call-buckets';
import type { CallRanges, ChargedBatch, ChargedCdr } from '../cdr/charged-cdr';
import type { CreatedAlertEvent } from './alert-event';
import { AlertArea, AlertOperator, BALANCE_AREAS, WINDOWED_AREAS } from './alert.enums';
import { evaluate, wholeNumberRange } from './alert-evaluator';
import type { AlertEventWriter, EventDraft, WriteOptions } from './alert-event-writer';

/** Which rules apply to customer c: its own, its class's, its account type's (or everyone's), and the built-ins. */
export const SCOPE_SQL = `(d.customer_id = c.id OR d.customer_class_id = c.customer_class_id
   OR (d.customer_id IS NULL AND d.customer_class_id IS NULL AND (d.account_type IS NULL OR d.account_type = c.type)))`;

/**
 * `select` over each customer of `from` (a CTE or table, aliased c) joined to its rules d
 * that meet `rules` (over d alone) and `perCustomer` (over c and d), exactly SCOPE_SQL's:
 * a UNION ALL of the three scopes, its own rules, its class's and the few global ones,
 * each an equality or a handful of rows, so each is one hash join over the batch's
 * customers. A join ON SCOPE_SQL, an OR of three scopes, can only be a nested loop over
 * rules x customers; a LATERAL probe per scope was three index scans per customer,
 * ~13,000 a batch of 4,400 customers, three times a statement (bench:scale).
 *
 * Each scope first asks whether any rule of its kind meets `rules` (an uncorrelated
 * EXISTS: a one-time filter over the join), and meets no customer when none does. The
 * join alone hashed or sorted all the customers before it found no rule to join them to:
 * with the 1,000 mostly quiet rules of bench:scale, which the batch-wide filters leave
 * out, ~10 ms of a batch's rule statement over 4,400 customers went to that.
 */
export function scopedRulesSql(select: string, from: string, rules: string, perCustomer = 'true'): string {
  const scope = (on: string, kind: string) => `SELECT ${select} FROM ${from} c JOIN alert_definitions d ON ${on}
   WHERE ${rules} AND ${perCustomer} AND EXISTS (SELECT FROM alert_definitions d WHERE ${kind} AND ${rules})`;
  return [
    scope('d.customer_id = c.id', 'd.customer_id IS NOT NULL'),
    scope('d.customer_class_id = c.customer_class_id AND d.customer_id IS DISTINCT FROM c.id', 'd.customer_class_id IS NOT NULL'),
    scope(
      'd.customer_id IS NULL AND d.customer_class_id IS NULL AND (d.account_type IS NULL OR d.account_type = c.type)',
      'd.customer_id IS NULL AND d.customer_class_id IS NULL',
    ),
  ].join('\nUNION ALL\n');
}

/** The customer columns THRESHOLD_SQL, RULE_COLUMNS and scopedRulesSql read, for a CTE of customers c. */
const RULE_CUSTOMER_COLUMNS = `c.id, c.name, c.customer_class_id, c.type, c.prepaid_balance_trigger, c.low_balance_threshold, c.call_duration_trigger`;

/** The threshold in force: built-in rules read the customer's own setting (null or 0: off). */
export const THRESHOLD_SQL = `CASE d.builtin
   ${Object.entries(BUILT_IN_THRESHOLDS)
     .map(([builtin, threshold]) => `WHEN '${builtin}' THEN ${threshold}`)
     .join('\n   ')}
   ELSE d.threshold END`;

/** value <operator> threshold in SQL: a pre-filter only, the pure evaluator decides. */
function conditionSql(operator: string, value: string, threshold: string): string {
  return `CASE ${operator} WHEN 'GT' THEN ${value} > ${threshold} WHEN 'GTE' THEN ${value} >= ${threshold}
    WHEN 'LT' THEN ${value} < ${threshold} WHEN 'LTE' THEN ${value} <= ${threshold} ELSE ${value} = ${threshold} END`;
}

/**
 * Whether value <operator> threshold holds for some value between `lo` and `hi`, the
 * least and the greatest of a set (NULL when the set has no value): for the
 * CALL_DURATION rules a customer's shortest and longest call, for the batch-wide
 * pre-filters below the extremes over all the batch's customers. A pre-filter only.
 */
function mayHoldSql(operator: string, lo: string, hi: string, threshold: string): string {
  return `CASE ${operator} WHEN 'GT' THEN ${hi} > ${threshold} WHEN 'GTE' THEN ${hi} >= ${threshold}
    WHEN 'LT' THEN ${lo} < ${threshold} WHEN 'LTE' THEN ${lo} <= ${threshold}
    ELSE ${lo} <= ${threshold} AND ${hi} >= ${threshold} END`;
}

/**
 * Only rows where something can happen come back: states already triggered (they may
 * resolve, and their value is kept current) and untriggered ones whose condition holds.
 * A customer x rule pair that is quiet costs nothing outside the database.
 */
export const CANDIDATE_FILTER = `x.value IS NOT NULL AND x.threshold IS NOT NULL
  AND (x.triggered OR ${conditionSql('x.operator', 'x.value', 'x.threshold')})`;

/**
 * The rules each customer has triggered, for customers in array parameter
 * `customers`: (customer_id, defs) rows, read once per statement and joined by
 * customer. A state read per (rule, customer) pair was an index probe for each of
 * 10,000 pairs a batch with 100 rules on 100 customers, almost all of them quiet.
 * Through alert_triggered_defs, planned at each call: on these statements' generic
 * plans, made while alert_states was empty, a batch's 4,400 customers were compared one
 * by one with every triggered state (migrations/1732406402700-alert-triggered-defs.ts).
 */
function triggeredDefsSql(customers: string): string {
  return `alert_triggered_defs(${customers}::uuid[])`;
}

/**
 * The customers of array parameter `customers` as every rule part reads them: the
 * columns of RULE_CUSTOMER_COLUMNS, their balances, and the rules each has triggered
 * (triggered_defs), for SQL over a CTE or sub-select of them aliased c.
 */
function ruleCustomersSql(customers: string): string {
  return `SELECT ${RULE_CUSTOMER_COLUMNS}, c.balance, c.credit_limit, c.accrued_charges, coalesce(t.defs, '{}') AS triggered_defs
      FROM customers c
      LEFT JOIN ${triggeredDefsSql(customers)} t ON t.customer_id = c.id
     WHERE c.id = ANY(${customers}::uuid[])`;
}

/**
 * Where a rule part finds its customers: a query of them (ruleCustomersSql's columns),
 * and SQL over rule d saying whether a built-in rule may have a threshold among them.
 * A statement of its own reads them by their ids; the CDR batch's statement reads them
 * once for its three parts (CDR_BATCH_RULES_SQL).
 */
interface RuleCustomers {
  source: string;
  builtIn: string;
  /** The statement's CTE that already holds source's rows, if any (the CDR batch's `batch`). */
  cte?: string;
}

function customersOf(customers: string): RuleCustomers {
  return { source: ruleCustomersSql(customers), builtIn: 'true' };
}

export const RULE_COLUMNS = `d.id AS definition_id, c.id AS customer_id, c.name AS customer_name, c.customer_class_id,
  d.title, d.area, d.operator, ${THRESHOLD_SQL} AS threshold, d.reset_threshold, d.penalty`;

/** A current customer value, for SQL over customers c. */
export const BALANCE_VALUE_SQL = `CASE d.area WHEN 'BALANCE' THEN c.balance
   WHEN 'AVAILABLE_CREDIT' THEN c.balance + c.credit_limit ELSE c.accrued_charges END`;

/**
 * BALANCE_VALUE_SQL's least (`fn` lo) or greatest (hi) over the customers, read from the
 * one row of balance_range by uncorrelated sub-selects, each run once. Read by one
 * sub-select per rule instead (correlated to d), the same filter took ~40 ms more to
 * plan over a batch's 4,400 customers (log_planner_stats) than it saved.
 */
function balanceExtremeSql(fn: 'lo' | 'hi'): string {
  const of = (column: string) => `(SELECT r.${fn}_${column} FROM balance_range r)`;
  return `CASE d.area WHEN 'BALANCE' THEN ${of('balance')} WHEN 'AVAILABLE_CREDIT' THEN ${of('available')} ELSE ${of('accrued')} END`;
}

/**
 * Whether balance rule d may come back for any customer of the call (the rules are
 * filtered by this before they are joined to the customers): a built-in (its threshold
 * is each customer's own) that `builtIn` keeps, a rule triggered for one of them (it may resolve), or one
 * whose condition holds somewhere between the customers' least and greatest value of
 * its area. Implied by CANDIDATE_FILTER for some customer, so it never drops a row that
 * would come back. Mostly quiet rules then meet no customer: 1,000 rules over a batch's
 * ~4,400 customers (bench:scale) were ~30,000 pairs to test, nearly all for nothing.
 * With this and WINDOW_REACHABLE_IN_BATCH the batch's rule statement ran in a median
 * 58 ms against 65 (its round trip, unnamed, over 4,400 of bench:scale's 20,000 customers).
 */
function balanceRuleMayComeBack(builtIn: string): string {
  return `((d.builtin IS NOT NULL AND ${builtIn}) OR d.id = ANY((SELECT r.triggered FROM balance_range r)::uuid[])
   OR ${mayHoldSql('d.operator', balanceExtremeSql('lo'), balanceExtremeSql('hi'), 'd.threshold')})`;
}

/** Balance-area candidates of the customers in array parameter `customers`, for the areas in `areas`. */
export function balanceCandidatesSql(customers: string, areas: string): string {
  return balanceCandidatesOf(customersOf(customers), areas);
}

/** Balance-area candidates of the customers `from` gives, for the areas in `areas`. */
function balanceCandidatesOf(from: RuleCustomers, areas: string): string {
  return `
SELECT * FROM (
  WITH balance_customers AS MATERIALIZED (
    ${from.source}
  ), balance_range AS MATERIALIZED (
    SELECT min(c.balance) AS lo_balance, max(c.balance) AS hi_balance,
           min(c.balance + c.credit_limit) AS lo_available, max(c.balance + c.credit_limit) AS hi_available,
           min(c.accrued_charges) AS lo_accrued, max(c.accrued_charges) AS hi_accrued,
           (SELECT array_agg(t.id) FROM balance_customers b CROSS JOIN unnest(b.triggered_defs) AS t(id) WHERE b.triggered_defs <> '{}') AS triggered
      FROM balance_customers c
  )
  ${scopedRulesSql(
    `${RULE_COLUMNS}, d.id = ANY(c.triggered_defs) AS triggered, ${BALANCE_VALUE_SQL} AS value`,
    'balance_customers',
    `d.enabled AND d.area = ANY(${areas}::text[]) AND ${balanceRuleMayComeBack(from.builtIn)}`,
  )}
) x WHERE ${CANDIDATE_FILTER}`;
}

const BALANCE_SQL = preparedSql('alert.balance-rules', balanceCandidatesSql('$1', '$2'));

/**
 * Window statistics per (customer, distinct sample period), however many rules share
 * it: the minute buckets wholly inside the window (compacted rows by index, plus the
 * deltas not compacted yet, a small unindexed table read once for all windows) plus
 * the calls of the one partial minute at its start, read from cdrs, so the window
 * stays exact to the second. Rules are then joined to those few statistic rows by period.
 * The CTEs are MATERIALIZED on purpose: the planner cannot estimate them, and an
 * inlined statistics CTE re-ran its aggregates once per (rule, customer) pair.
 *
 * Only the rules that can produce a row get a window (WINDOW_REACHABLE): each customer's
 * sums since the first minute of the longest window of any rule bound every window's
 * sums from above (nothing summed is negative: charges never are), so a rule whose
 * min_calls or threshold lies beyond that bound cannot come back and is left out before
 * its windows are summed. With 1,000 mostly quiet rules almost none remain (bench:scale),
 * and the deltas are then read only summed per customer, for the bounds.
 *
 * `from` gives the customers: by their ids for the window job, the CDR batch's own
 * (already read) for its statement.
 */
// No built-in rule is windowed (their areas are BALANCE, ACCRUED_CHARGES, CALL_DURATION),
// so the areas alone select them; a \`builtin IS NULL\` here drew the planner to the builtin
// key's index (all 1,000 rules) while the table's statistics were older than its rules.
function windowRulesSql(areas: string): string {
  return `d.enabled AND d.area = ANY(${areas}::text[])`;
}
const WINDOW_RULES = windowRulesSql('$2');

/**
 * The first minute of the longest window of any enabled windowed rule (rules d whose
 * area is in array parameter `areas`), as of now(): NULL without one. The rule
 * statements' bounds start there, and the compaction keeps the buckets' sums from there
 * on (alert-jobs.ts, migrations/1732406402500-call-bucket-bounds.ts).
 */
export function windowHorizonSql(areas: string): string {
  return `SELECT date_trunc('minute', now() - make_interval(secs => max(d.sample_period)))
    FROM alert_definitions d WHERE ${windowRulesSql(areas)}`;
}
/**
 * A windowed rule that may come back for customer c, by c's upper bounds (bound_attempts,
 * bound_spend): the statistics row needs attempts >= min_calls; then a triggered state
 * always comes back (it may resolve), an untriggered one only if its condition can hold.
 * Only the upper bound of a value is known, so only SPEND and CALL_COUNT above a
 * threshold (GT, GTE, EQ) are left out by it; ASR, ACD and LT, LTE rules stay.
 */
function windowReachableSql(attempts: string, spend: string, triggered: string): string {
  return `d.min_calls <= ${attempts}
   AND (${triggered} OR d.area IN ('ASR', 'ACD') OR d.operator IN ('LT', 'LTE')
        OR CASE d.area WHEN 'SPEND' THEN ${spend} ELSE ${attempts} END >= d.threshold)`;
}
const WINDOW_REACHABLE = windowReachableSql('c.bound_attempts', 'c.bound_spend', 'd.id = ANY(c.triggered_defs)');
/**
 * WINDOW_REACHABLE for any customer of the batch, by the greatest bounds among them
 * (cust_range r): the rules are filtered by it before they are joined to the customers,
 * so a rule no customer comes near (min_calls or a threshold above every bound) meets
 * none of them. Implied by WINDOW_REACHABLE for some customer: it never drops a rule
 * that one of them could bring back.
 */
const WINDOW_REACHABLE_IN_BATCH = `(${windowReachableSql(
  '(SELECT r.attempts FROM cust_range r)',
  '(SELECT r.spend FROM cust_range r)',
  'd.id = ANY((SELECT r.triggered FROM cust_range r)::uuid[])',
)})`;
function windowSql(from: RuleCustomers): string {
  // The customers' rows as read (names, thresholds, triggered rules), for the rows returned.
  const customers = from.cte ?? 'window_customers';
  return `
WITH ${from.cte ? '' : `window_customers AS MATERIALIZED (${from.source}), `}horizon AS MATERIALIZED (
  -- The first minute of the longest window of any windowed rule (NULL without any: no bounds, no rules).
  SELECT (${windowHorizonSql('$2')}) AS since
), cust AS MATERIALIZED (
  -- Each customer's calls and spend since the horizon (or a little earlier: an upper
  -- bound), in deltas and compacted buckets, read through functions, not the tables: named
  -- here, the deltas' VACUUM after every compaction pass made each connection plan this
  -- statement again (migrations/1732406402000-call-bucket-deltas-function.ts), and on this
  -- statement's generic plan a bucket day planned while empty was scanned in sequence
  -- against the whole array (1732406402300-call-bucket-sums.ts). The deltas summed per
  -- customer by call_bucket_delta_sums; the buckets as the compaction keeps them summed
  -- per customer, one row each (call_bucket_bounds, 1732406402500), instead of every
  -- bucket of the widest window summed at each batch. Each function gives a customer one
  -- row at most, so both join the customers directly (a UNION of the two grouped again
  -- and then joined cost ~1.7 ms more over a batch's 4,400 customers). Only the columns
  -- the rules' scopes and bounds read: the few rows returned take the rest from the
  -- customers' own rows (\`${customers}\`, at the end); carried here, every column of the
  -- 4,400 went through both joins and was stored again. With cust_floor below: the
  -- statement over a batch's 4,400 customers on its generic plan 46.1-46.6 ms against
  -- 49.6-50.3 (the smallest of 16 in each of three alternating runs, on the database a
  -- bench:scale rules round left).
  SELECT c.id, c.customer_class_id, c.type, c.triggered_defs,
         coalesce(b.attempts, 0) + coalesce(d.attempts, 0) AS bound_attempts,
         coalesce(b.spend, 0) + coalesce(d.spend, 0) AS bound_spend
    FROM ${customers} c
    LEFT JOIN call_bucket_bounds($1::uuid[], (SELECT since FROM horizon)) b ON b.customer_id = c.id
    LEFT JOIN call_bucket_delta_sums($1::uuid[], (SELECT since FROM horizon)) d ON d.customer_id = c.id
), cust_range AS MATERIALIZED (
  SELECT max(c.bound_attempts) AS attempts, max(c.bound_spend) AS spend,
         (SELECT array_agg(t.id) FROM cust u CROSS JOIN unnest(u.triggered_defs) AS t(id) WHERE u.triggered_defs <> '{}') AS triggered
    FROM cust c
), cust_floor AS MATERIALIZED (
  -- The fewest calls a rule left by the batch-wide filters needs (WINDOW_REACHABLE asks
  -- min_calls <= bound_attempts of every rule, triggered or not): a customer below it
  -- meets none of them, so the scopes' joins below meet only the customers above it.
  -- Joined with all of them, every customer was tested against each rule of its class
  -- and each rule of its account type, one by one for the latter (bench:scale: 4,400
  -- customers x 5 such rules, ~3 ms; ~300 customers had calls enough).
  SELECT min(d.min_calls) AS calls FROM alert_definitions d WHERE ${WINDOW_RULES} AND ${WINDOW_REACHABLE_IN_BATCH}
), cust_rules AS MATERIALIZED (
  -- Each customer's windowed rules that may come back, found once (a hash join per scope)
  -- for the windows and the final join alike.
  ${scopedRulesSql(
    `c.id AS customer_id, d.id, d.title, d.area, d.operator, d.threshold, d.reset_threshold, d.penalty, d.sample_period, d.min_calls, d.builtin`,
    '(SELECT * FROM cust WHERE bound_attempts >= (SELECT f.calls FROM cust_floor f))',
    `${WINDOW_RULES} AND ${WINDOW_REACHABLE_IN_BATCH}`,
    WINDOW_REACHABLE,
  )}
), windows AS MATERIALIZED (
  SELECT DISTINCT r.customer_id, r.sample_period, now() - make_interval(secs => r.sample_period) AS cutoff
    FROM cust_rules r
), deltas AS MATERIALIZED (
  -- The deltas not compacted yet of the customers with a window left, as stored, since
  -- the horizon, read through call_bucket_deltas; read only when a window is left (a CTE
  -- runs when first read). Only those customers': asked for every customer of the
  -- statement, one customer with a window (a busy one past its bounds) had every
  -- customer's deltas copied and grouped per window period, then dropped by window_deltas.
  SELECT * FROM call_bucket_deltas(coalesce((SELECT array_agg(DISTINCT w.customer_id) FROM windows w), '{}'), (SELECT since FROM horizon))
), window_deltas AS MATERIALIZED (
  -- Each window with the sums of its deltas, by one aggregation over the windows
  -- (zero rows) and the deltas per minute matched to the few sample periods. A join
  -- of the windows to the deltas by estimate went to a nested loop over both (300 x
  -- 300 rows, 9 ms a batch). The deltas come as stored (a row per batch, customer and
  -- minute), and since the horizon, which no window starts before.
  SELECT u.customer_id, u.sample_period, max(u.cutoff) AS cutoff, sum(u.attempts) AS attempts, sum(u.answered) AS answered,
         sum(u.answered_seconds) AS answered_seconds, sum(u.spend) AS spend
    FROM (
      SELECT w.customer_id, w.sample_period, w.cutoff, 0::bigint AS attempts, 0::bigint AS answered,
             0::numeric AS answered_seconds, 0::numeric AS spend, true AS is_window
        FROM windows w
      UNION ALL
      SELECT m.customer_id, p.sample_period, NULL, m.attempts, m.answered, m.answered_seconds, m.spend, false
        FROM deltas m
        JOIN (SELECT DISTINCT sample_period, cutoff FROM windows) p ON m.minute > date_trunc('minute', p.cutoff)
    ) u
   GROUP BY u.customer_id, u.sample_period
  HAVING bool_or(u.is_window)
), partial_minutes AS MATERIALIZED (
  ${partialMinuteCallsSql('window_deltas')}
), window_buckets AS MATERIALIZED (
  -- Each window's compacted buckets after its partial first minute, summed by one call of
  -- call_bucket_sums for all the windows (planned for its values, as for the bounds): a
  -- probe per window on this statement's generic plan scanned a bucket day planned while
  -- empty once per window. Two windows of a customer starting in the same minute share a row.
  SELECT b.* FROM (
    SELECT array_agg(w.customer_id) AS ids, array_agg(date_trunc('minute', w.cutoff) + interval '1 minute') AS sinces FROM window_deltas w
  ) a CROSS JOIN LATERAL call_bucket_sums(a.ids, a.sinces) b
), totals AS MATERIALIZED (
  SELECT w.customer_id, w.sample_period,
         coalesce(b.attempts, 0) + w.attempts + e.attempts AS attempts,
         coalesce(b.answered, 0) + w.answered + e.answered AS answered,
         coalesce(b.answered_seconds, 0) + w.answered_seconds + e.answered_seconds AS answered_seconds,
         coalesce(b.spend, 0) + w.spend + e.spend AS spend
    FROM window_deltas w
    LEFT JOIN window_buckets b ON b.customer_id = w.customer_id AND b.since = date_trunc('minute', w.cutoff) + interval '1 minute'
    JOIN partial_minutes e ON e.customer_id = w.customer_id AND e.cutoff = w.cutoff
), stats AS MATERIALIZED (
  -- Each area's value once per window, not once per rule.
  SELECT t.*, ${asrSql('t.answered', 't.attempts')} AS asr, ${acdSql('t.answered_seconds', 't.answered', '0')} AS acd
    FROM totals t
)
SELECT * FROM (
  SELECT ${RULE_COLUMNS}, d.id = ANY(c.triggered_defs) AS triggered,
         CASE d.area WHEN 'ASR' THEN st.asr WHEN 'ACD' THEN st.acd WHEN 'SPEND' THEN st.spend ELSE st.attempts::numeric END AS value
    FROM stats st
    JOIN ${customers} c ON c.id = st.customer_id
    JOIN cust_rules d ON d.customer_id = st.customer_id AND d.sample_period = st.sample_period
   WHERE st.attempts >= d.min_calls
) x WHERE ${CANDIDATE_FILTER}`;
}

/**
 * The CDR batch's customers ($1), read once for the statement's three parts: the
 * columns of ruleCustomersSql, each one's shortest and longest call in the batch ($5,
 * $6) and whether the batch charged it ($3), all aligned with $1. The ids reach the
 * customers by index in the order given, whatever plan; a boolean per customer rather
 * than a second array of ids, whose uuids took the server ~3 ms to read per 4,400.
 * `batch_range` says for each built-in rule whether one of them has set its threshold
 * (with none, the built-in meets none of them: most customers of a carrier set none), and
 * holds the batch's shortest and longest call, which bound its CALL_DURATION rules.
 */
const BATCH_CUSTOMERS_SQL = `
batch AS MATERIALIZED (
  SELECT ${RULE_CUSTOMER_COLUMNS}, c.balance, c.credit_limit, c.accrued_charges, coalesce(t.defs, '{}') AS triggered_defs,
         b.shortest, b.longest, b.charged
    FROM unnest($1::uuid[], $5::int[], $6::int[], $3::boolean[]) AS b(customer_id, shortest, longest, charged)
    JOIN customers c ON c.id = b.customer_id
    LEFT JOIN ${triggeredDefsSql('$1')} t ON t.customer_id = c.id
), batch_range AS MATERIALIZED (
  SELECT ${Object.entries(BUILT_IN_THRESHOLDS)
    .map(([builtin, threshold]) => `coalesce(bool_or(${threshold} IS NOT NULL), false) AS ${builtin.toLowerCase()}`)
    .join(', ')},
         min(c.shortest) AS shortest, max(c.longest) AS longest
    FROM batch c
)`;

/** Whether built-in rule d has a threshold set by one of the batch's customers (batch_range). */
const BUILT_IN_IN_BATCH = `CASE d.builtin
   ${Object.keys(BUILT_IN_THRESHOLDS)
     .map((builtin) => `WHEN '${builtin}' THEN (SELECT r.${builtin.toLowerCase()} FROM batch_range r)`)
     .join('\n   ')}
   ELSE true END`;

/** The batch's customers as the window and balance parts read them (the balance part: those it charged). */
const BATCH_CUSTOMERS: RuleCustomers = { source: 'SELECT * FROM batch', builtIn: BUILT_IN_IN_BATCH, cte: 'batch' };
const CHARGED_BATCH_CUSTOMERS: RuleCustomers = { source: 'SELECT * FROM batch WHERE charged', builtIn: BUILT_IN_IN_BATCH };

/**
 * The CALL_DURATION rules of the batch's customers that one of the customer's calls in
 * the batch can meet, by its shortest and longest call: a pre-filter, the calls are
 * matched in JS. Rules no call comes near stay in the database (100 rules on 100
 * customers were 1,300 rows a batch to read and match). A CALL_DURATION rule keeps no state.
 */
const CALL_DURATION_RULES_SQL = `
SELECT * FROM (
  ${scopedRulesSql(
    `${RULE_COLUMNS}, false AS triggered, NULL::numeric AS value`,
    'batch',
    `d.enabled AND d.area = 'CALL_DURATION'
     AND CASE WHEN d.builtin IS NULL
              THEN ${mayHoldSql('d.operator', '(SELECT r.shortest FROM batch_range r)', '(SELECT r.longest FROM batch_range r)', 'd.threshold')}
              ELSE ${BUILT_IN_IN_BATCH} END`,
    mayHoldSql('d.operator', 'c.shortest', 'c.longest', THRESHOLD_SQL),
  )}
) x
 ORDER BY x.customer_id, x.definition_id`;

/**
 * A CDR batch's rules in one round trip, after its balance changes: its CALL_DURATION
 * rules (area CALL_DURATION, in customer and rule order), then its window candidates,
 * then the balance candidates of the customers it charged (same columns). Reading
 * before the call-duration events are written reads the same: those events change no
 * state, balance, bucket or call these statements read.
 *
 * The three parts share the batch's customers (`batch`, read once), and each scope of
 * each part meets them only if one of its rules is left by the batch-wide filters
 * (scopedRulesSql). Over 4,400 of bench:scale's 20,000 customers, with its 1,000 rules,
 * the statement's round trip went from 69 to 48 ms on its generic plan and from 82 to
 * 61 ms on the plan for its values (the same rows; medians of 10, on the database a
 * bench run left: `node bench/scale-probe.js` with RULE_TIMES=1 measures it).
 *
 * Named at every size, unlike the statements sizedSql sends unnamed above
 * GENERIC_PLAN_MAX_KEYS: its generic plan holds at thousands of customers. Their keys
 * reach tables by index or by hash join, and the deltas through call_bucket_deltas and
 * call_bucket_delta_sums, which hash them (migrations/1732406402100, 1732406402200).
 * The CDR insert makes the rest of its transaction bind generic plans (cdr-insert.ts,
 * plan_mode), so a connection runs that plan from its first batch: planning this
 * statement for 4,400 customers' values took 34-60 ms at bind. Exported for that plan's
 * test (test/e2e/cdr-rules-generic-plan.e2e.test.ts).
 */
export const CDR_BATCH_RULES_SQL = preparedSql(
  'alert.cdr-batch-rules',
  `WITH ${BATCH_CUSTOMERS_SQL}
(${CALL_DURATION_RULES_SQL}) UNION ALL (${windowSql(BATCH_CUSTOMERS)}) UNION ALL (${balanceCandidatesOf(CHARGED_BATCH_CUSTOMERS, '$4')})`,
);

/**
 * CDR_BATCH_RULES_SQL's parameters: the customers, whether the batch charged each, and
 * each one's shortest and longest call in the batch (all aligned), as binary arrays
 * (binary-array.ts): the statement runs with the batch's customers locked, and the
 * server read 4,400 uuids of a literal in ~3 ms.
 */
export function cdrBatchRulesParams(customerIds: string[], charged: ReadonlySet<string>, shortest: number[], longest: number[]): unknown[] {
  return [
    binaryUuidArray(customerIds),
    WINDOWED_AREAS,
    binaryBoolArray(customerIds.map((id) => charged.has(id))),
    BALANCE_AREAS,
    binaryInt4Array(shortest),
    binaryInt4Array(longest),
  ];
}

/** Exported for its plan's test (test/e2e/cdr-partial-minutes.e2e.test.ts). */
export const WINDOW_RULES_SQL = preparedSql('alert.window-rules', windowSql(customersOf('$1')));

const UPSERT_STATES_SQL = preparedSql('alert.upsert-states', `
INSERT INTO alert_states AS s (definition_id, customer_id, triggered, value, since, last_notified_at, evaluated_at)
SELECT definition_id, customer_id, triggered, value,
       CASE WHEN transition <> '' THEN now() END, CASE WHEN transition <> '' THEN now() END, now()
  FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::numeric[], $5::text[])
       AS t(definition_id, customer_id, triggered, value, transition)
ON CONFLICT (definition_id, customer_id) DO UPDATE
   SET triggered = EXCLUDED.triggered,
       value = EXCLUDED.value,
       since = coalesce(EXCLUDED.since, s.since),
       last_notified_at = coalesce(EXCLUDED.last_notified_at, s.last_notified_at),
       evaluated_at = EXCLUDED.evaluated_at
 WHERE s.triggered IS DISTINCT FROM EXCLUDED.triggered OR s.value IS DISTINCT FROM EXCLUDED.value`);

export interface RuleRow {
  definition_id: string;
  customer_id: string;
  customer_name: string;
  customer_class_id: string | null;
  title: string;
  area: AlertArea;
  operator: AlertOperator;
  threshold: string;
  reset_threshold: string | null;
  penalty: number | null;
  value: string | null;
  triggered: boolean;
  /**
   * Set on a triggered state that resolves because its pair no longer exists as it was
   * (rule disabled, deleted or changed, customer out of scope, trigger turned off): the
   * state is already deleted, the row only becomes a RESOLVED event saying why.
   */
  resolved_because?: string | null;
}

export function draftOf(r: RuleRow, kind: EventDraft['kind'], value: string): EventDraft {
  return {
    kind,
    definitionId: r.definition_id,
    customerId: r.customer_id,
    customerClassId: r.customer_class_id,
    customerName: r.customer_name,
    title: r.title,
    area: r.area,
    operator: r.operator,
    value: normaliseDecimal(value),
    threshold: normaliseDecimal(r.threshold),
    resetThreshold: r.reset_threshold === null ? null : normaliseDecimal(r.reset_threshold),
    penalty: r.penalty,
  };
}

export class AlertEngine {
  constructor(private readonly writer: AlertEventWriter) {}

  /** BALANCE, AVAILABLE_CREDIT, ACCRUED_CHARGES of customers whose balance just changed (already locked by the ledger). */
  async onBalanceChanged(uow: UnitOfWork, customerIds: string[]): Promise<CreatedAlertEvent[]> {
    const ids = unique(customerIds);
    const rows = await uow.query<RuleRow>(sizedSql(BALANCE_SQL, ids.length), [ids, BALANCE_AREAS]);
    return this.applyStateful(uow, rows);
  }

  /**
   * A CDR batch: CALL_DURATION per call, the windows of every customer in the batch,
   * and the balance rules of the customers it charged (those with a balance change,
   * applied in this transaction), in one statement, for the customers a rule may apply
   * to (`ruled`, as the insert found them): none, no statement.
   */
  async onCdrsCharged(uow: UnitOfWork, batch: ChargedBatch): Promise<CreatedAlertEvent[]> {
    const { customerIds, shortest, longest } = ruledRanges(batch.callRanges, batch.ruled);
    if (customerIds.length === 0) return [];
    // The calls are in the minute buckets already (addToCallBucketsSql ran with the
    // insert), and the customers are locked (see cdrsCharged): lockCustomers only
    // makes sure, skipping the rows this transaction holds.
    await lockCustomers(uow, customerIds);
    const charged = new Set(batch.balanceChanges.map((c) => c.customerId));
    const rows = await uow.query<RuleRow>(CDR_BATCH_RULES_SQL, cdrBatchRulesParams(customerIds, charged, shortest, longest));
    const durationRules = rows.filter((r) => r.area === AlertArea.CALL_DURATION);
    const statefulRows = rows.filter((r) => r.area !== AlertArea.CALL_DURATION);
    // Call-duration events first, then the transitions: one write for the batch.
    // The batch answers without waiting for its events to settle (the field that hands out their cursors waits).
    return this.applyStateful(uow, statefulRows, callDurationDrafts(durationRules, batch.cdrs), { settle: false });
  }

  /**
   * Which of the given customers have a windowed rule with something to do now (a state
   * to keep current or a condition that holds), read without locking them: the windows'
   * pass locks and evaluates only those. The read is a pre-filter; evaluateWindows
   * decides under the locks. A customer it leaves out is one the locked evaluation would
   * have left unchanged as of this read; a CDR batch committing after it evaluates its
   * own customers' windows, and the next pass reads again.
   */
  async windowsDue(uow: UnitOfWork, customerIds: string[]): Promise<string[]> {
    const rows = await this.windowCandidates(uow, customerIds);
    return unique(rows.map((r) => r.customer_id)).sort();
  }

  /** ASR, ACD, SPEND, CALL_COUNT of the given customers over their windows, as of now. */
  async evaluateWindows(uow: UnitOfWork, customerIds: string[], locked = false): Promise<CreatedAlertEvent[]> {
    if (customerIds.length === 0) return [];
    if (!locked) await lockCustomers(uow, customerIds);
    return this.applyStateful(uow, await this.windowCandidates(uow, customerIds));
  }

  /**
   * The windowed candidates (ASR, ACD, SPEND, CALL_COUNT) of the given customers as of
   * now, for applyStateful: read without locks by windowsDue, under the customers' locks
   * by everything that applies them.
   */
  async windowCandidates(uow: UnitOfWork, customerIds: string[]): Promise<RuleRow[]> {
    if (customerIds.length === 0) return [];
    const ids = unique(customerIds);
    return uow.query<RuleRow>(sizedSql(WINDOW_RULES_SQL, ids.length), [ids, WINDOWED_AREAS]);
  }

  /**
   * Runs the pure evaluator over the candidate rows, upserts their states and writes
   * the transitions after `earlier` (drafts of the same pass), all in one write. Rows
   * with `resolved_because` (their states already deleted) become RESOLVED events
   * first and are not upserted.
   */
  async applyStateful(uow: UnitOfWork, candidates: RuleRow[], earlier: EventDraft[] = [], opts?: WriteOptions): Promise<CreatedAlertEvent[]> {
    const drafts: EventDraft[] = [...earlier];
    const rows: RuleRow[] = [];
    for (const r of candidates) {
      if (r.resolved_because) drafts.push({ ...draftOf(r, 'RESOLVED', r.value!), resolvedBecause: r.resolved_because });
      else rows.push(r);
    }
    if (rows.length === 0) return this.writer.write(uow, drafts, opts);
    const outcomes = rows.map((r) => {
      const o = evaluate({ operator: r.operator, threshold: r.threshold, resetThreshold: r.reset_threshold }, r.triggered, r.value!);
      if (o.transition) drafts.push(draftOf(r, o.transition, r.value!));
      return o;
    });
    await uow.query(sizedSql(UPSERT_STATES_SQL, rows.length), [
      rows.map((r) => r.definition_id),
      rows.map((r) => r.customer_id),
      outcomes.map((o) => o.triggered),
      rows.map((r) => r.value),
      outcomes.map((o) => o.transition ?? ''),
    ]);
    return this.writer.write(uow, drafts, opts);
  }
}

/** One TRIGGERED draft per (call, matching CALL_DURATION rule), in call order. */
function callDurationDrafts(rules: RuleRow[], cdrs: ChargedCdr[]): EventDraft[] {
  if (rules.length === 0) return [];
  const byCustomer = new Map<string, { rule: RuleRow; range: { min: number; max: number } }[]>();
  for (const rule of rules) {
    const range = wholeNumberRange(rule.operator, rule.threshold);
    if (!range) continue;
    const list = byCustomer.get(rule.customer_id) ?? [];
    list.push({ rule, range });
    byCustomer.set(rule.customer_id, list);
  }
  const drafts: EventDraft[] = [];
  for (const call of cdrs) {
    for (const { rule, range } of byCustomer.get(call.customerId) ?? []) {
      if (call.duration >= range.min && call.duration <= range.max) drafts.push(draftOf(rule, 'TRIGGERED', String(call.duration)));
    }
  }
  return drafts;
}

/**
 * The batch's customers in `ruled` with their shortest and longest calls, in the order
 * the batch first named them. Read from the ranges the batch's encoding found: grouping
 * the 5,000 calls of a batch by customer again here took ~2 ms (a Map of 4,400 customers,
 * bench:scale), with the customers locked.
 */
function ruledRanges(ranges: CallRanges, ruled: ReadonlySet<string>): { customerIds: string[]; shortest: number[]; longest: number[] } {
  const customerIds: string[] = [];
  const shortest: number[] = [];
  const longest: number[] = [];
  for (let i = 0; i < ranges.customerIds.length; i++) {
    const id = ranges.customerIds[i];
    if (!ruled.has(id)) continue;
    customerIds.push(id);
    shortest.push(ranges.shortest[i]);
    longest.push(ranges.longest[i]);
  }
  return { customerIds, shortest, longest };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

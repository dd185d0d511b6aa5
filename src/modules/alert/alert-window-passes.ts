/**
 * Where the windows' pass has got to (migrations/1732406402400-alert-window-passes.ts).
 * A window moves without a CDR only when one of its calls leaves it, so once a pass has
 * gone over every customer, the next needs only the customers with calls that left a
 * window since: in bench:scale with the jobs on (20,000 customers calling over ten
 * minutes, windows of 5, 15 and 60 minutes) 69 a pass on average (6,476 over 94 passes,
 * pg_stat_statements) instead of every customer with calls, every second. What else
 * can move a window without a CDR is a change to the rules or to whom they apply: a rule
 * change clears the mark (restartWindowPasses), so the next pass reads everyone, and a
 * customer's change evaluates that customer's windows in its own transaction
 * (alert-rule-changes.ts customersChanged).
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';

export interface WindowPassStart {
  /** As of when the last complete pass listed its customers; null: list every customer with calls in a window. */
  evaluatedThrough: Date | null;
  /** The rules' version this pass starts from: it advances the mark only if no change came meanwhile. */
  rulesVersion: string;
  /** This pass's own moment (its listing transaction's now()). */
  asOf: Date;
}

export async function windowPassStart(uow: UnitOfWork): Promise<WindowPassStart> {
  const [row] = await uow.query<{ evaluated_through: Date | null; rules_version: string; as_of: Date }>(
    `SELECT evaluated_through, rules_version, now() AS as_of FROM alert_window_passes`,
  );
  return { evaluatedThrough: row.evaluated_through, rulesVersion: row.rules_version, asOf: row.as_of };
}

/** After a complete pass: the next lists only the calls that left a window after `asOf`, unless the rules changed since it started. */
export async function windowPassDone(uow: UnitOfWork, start: WindowPassStart): Promise<void> {
  await uow.query(`UPDATE alert_window_passes SET evaluated_through = $1 WHERE rules_version = $2::bigint`, [start.asOf, start.rulesVersion]);
}

/**
 * In the transaction that changes rules: the next pass lists every customer, and a pass
 * running now will not advance the mark. (It takes the row's lock until commit; rule
 * changes are an operator's, and few.)
 */
export async function restartWindowPasses(uow: UnitOfWork): Promise<void> {
  await uow.query(`UPDATE alert_window_passes SET rules_version = rules_version + 1, evaluated_through = NULL`);
}

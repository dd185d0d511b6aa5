/**
 * Maps constraint violations Postgres reports to the typed errors clients branch on,
 * so a race the pre-checks cannot see (two creates at once) still answers CONFLICT
 * or NOT_FOUND rather than an internal error.
 */
import { AppError, conflict, sqlConstraint, sqlState } from './errors';

/** Runs fn; a unique violation of one of the named constraints becomes CONFLICT with that message. */
export async function withConstraintErrors<T>(fn: () => Promise<T>, messages: Record<string, () => AppError>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const state = sqlState(err);
    const constraint = sqlConstraint(err);
    if ((state === '23505' || state === '23503') && constraint && messages[constraint]) throw messages[constraint]();
    if (state === '23505') throw conflict('This conflicts with an existing record');
    throw err;
  }
}

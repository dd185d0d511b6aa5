/**
 * The one mapper from database integrity errors to the typed errors clients branch on.
 * A violation of a named unique, foreign-key or check constraint becomes the error its
 * caller declared for that name, so a race the pre-checks cannot see (two creates at
 * once, a row deleted meanwhile) still answers CONFLICT or NOT_FOUND rather than an
 * internal error. A unique violation no caller named is a plain CONFLICT.
 */
import { conflict, sqlConstraint, sqlState, type AppError } from './errors';

/** The error of each constraint by name, e.g. `{ trunks_name_key: () => conflict('...') }`. */
export type ConstraintErrors = Readonly<Record<string, () => AppError>>;

const UNIQUE_VIOLATION = '23505';

/** The constraint an integrity violation (SQLSTATE class 23) names; undefined for any other error. */
export function violatedConstraint(err: unknown): string | undefined {
  return sqlState(err)?.startsWith('23') ? sqlConstraint(err) : undefined;
}

/** The typed error a database error stands for, or undefined when it is not an integrity violation this maps. */
export function constraintError(err: unknown, errors: ConstraintErrors): AppError | undefined {
  const constraint = violatedConstraint(err);
  if (constraint !== undefined && Object.hasOwn(errors, constraint)) return errors[constraint]();
  if (sqlState(err) === UNIQUE_VIOLATION) return conflict('This conflicts with an existing record');
  return undefined;
}

/** Runs fn; an integrity violation becomes its typed error (see constraintError), anything else is thrown as it is. */
export async function withConstraintErrors<T>(fn: () => Promise<T>, errors: ConstraintErrors): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw constraintError(err, errors) ?? err;
  }
}

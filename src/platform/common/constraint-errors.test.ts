import { constraintError, violatedConstraint, withConstraintErrors } from './constraint-errors';
import { conflict, notFound } from './errors';

/** What node-postgres throws (TypeORM wraps it, keeping driverError). */
const pgError = (code: string, constraint?: string) => Object.assign(new Error('pg'), { code, constraint });
const wrapped = (code: string, constraint?: string) => Object.assign(new Error('typeorm'), { driverError: pgError(code, constraint) });

describe('constraint errors', () => {
  const errors = { trunks_name_key: () => conflict('taken'), trunks_customer_id_fkey: () => notFound('Customer', 'cus_x'), trunks_limit_check: () => conflict('limit') };

  it('maps a violation of a named unique, foreign-key or check constraint to its error', () => {
    expect(constraintError(pgError('23505', 'trunks_name_key'), errors)?.message).toBe('taken');
    expect(constraintError(wrapped('23503', 'trunks_customer_id_fkey'), errors)?.extensions.code).toBe('NOT_FOUND');
    expect(constraintError(pgError('23514', 'trunks_limit_check'), errors)?.message).toBe('limit');
  });

  it('answers CONFLICT for an unnamed unique violation and leaves every other error alone', () => {
    expect(constraintError(pgError('23505', 'other_key'), errors)?.extensions.code).toBe('CONFLICT');
    expect(constraintError(pgError('23503', 'other_fkey'), errors)).toBeUndefined();
    expect(constraintError(pgError('22P02'), errors)).toBeUndefined();
    expect(constraintError(new Error('x'), errors)).toBeUndefined();
    expect(constraintError(pgError('40001', 'trunks_name_key'), errors)).toBeUndefined();
  });

  it('names the constraint of an integrity violation only', () => {
    expect(violatedConstraint(wrapped('23505', 'balance_idempotency_keys_pkey'))).toBe('balance_idempotency_keys_pkey');
    expect(violatedConstraint(pgError('40P01', 'x'))).toBeUndefined();
  });

  it('throws the mapped error from withConstraintErrors, the original otherwise', async () => {
    await expect(withConstraintErrors(() => Promise.reject(pgError('23505', 'trunks_name_key')), errors)).rejects.toThrow('taken');
    const other = pgError('22003');
    await expect(withConstraintErrors(() => Promise.reject(other), errors)).rejects.toBe(other);
    await expect(withConstraintErrors(() => Promise.resolve(1), errors)).resolves.toBe(1);
  });
});

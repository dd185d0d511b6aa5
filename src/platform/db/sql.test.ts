import { SqlParams, SqlWhere } from './sql';

describe('SqlParams', () => {
  it('inserts the given columns only: undefined is left out, null is written', () => {
    const q = new SqlParams();
    expect(q.insertValues({ name: 'a', company: undefined, ip: '10.0.0.0/8', port: null }, { ip: 'cidr' })).toBe('(name, ip, port) VALUES ($1, $2::cidr, $3)');
    expect(q.params).toEqual(['a', '10.0.0.0/8', null]);
    expect(new SqlParams().insertValues({ name: undefined })).toBe('DEFAULT VALUES');
  });

  it('numbers assignments after the parameters already bound and appends the fixed ones', () => {
    const q = new SqlParams();
    const id = q.param('id-1');
    const set = q.assignments({ name: 'b', call_limit: null, cps_limit: undefined }, ['updated_at = now()']);
    expect(`UPDATE t SET ${set} WHERE id = ${id}`).toBe('UPDATE t SET name = $2, call_limit = $3, updated_at = now() WHERE id = $1');
    expect(q.params).toEqual(['id-1', 'b', null]);
    expect(new SqlParams().assignments({}, ['updated_at = now()'])).toBe('updated_at = now()');
  });

  it('refuses a column name that is not a plain identifier', () => {
    expect(() => new SqlParams().insertValues({ 'name; DROP TABLE x': 1 })).toThrow('not a column name');
    expect(() => new SqlParams().assignments({ 'a = 1, b': 1 })).toThrow('not a column name');
  });
});

describe('SqlWhere', () => {
  it('ANDs its conditions and a clone takes more without changing the original', () => {
    const where = new SqlWhere().add((p) => `a = ${p}`, 1).raw('b IS NULL');
    const page = where.clone().add((p) => `c > ${p}`, 2);
    expect([where.sql, where.params]).toEqual(['a = $1 AND b IS NULL', [1]]);
    expect([page.sql, page.params]).toEqual(['a = $1 AND b IS NULL AND c > $2', [1, 2]]);
    expect(new SqlWhere().sql).toBe('true');
  });
});

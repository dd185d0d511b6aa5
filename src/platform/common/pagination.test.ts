import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, type CursorColumn } from './pagination';

const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

const refused = (cursor: string, columns: CursorColumn[]) => {
  let thrown: unknown;
  try {
    decodeCursor(cursor, columns);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(GraphQLError);
  expect((thrown as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
};

describe('decodeCursor', () => {
  it('gives back the keys the lists write, in both timestamp forms', () => {
    const keys: [unknown[], CursorColumn[]][] = [
      [['2026-11-23T10:15:00.123456Z', '42'], ['timestamptz', 'bigint']],
      [['0'], ['bigint']],
      [['CREATED_AT', '2026-11-23 10:15:00.5+00', '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11'], [{ oneOf: ['CREATED_AT'] }, 'timestamptz', 'uuid']],
      [['BALANCE', '-12.5000000000', '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11'], [{ oneOf: ['BALANCE'] }, 'numeric', 'uuid']],
      [['10.0.0.0/24', '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11'], ['cidr', 'uuid']],
      [['2001:db8::/32', '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11'], ['cidr', 'uuid']],
      [['ärger gmbh', '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11'], ['text', 'uuid']],
    ];
    for (const [key, columns] of keys) expect(decodeCursor(encodeCursor(key as string[]), columns)).toEqual(key);
    expect(decodeCursor(null, ['bigint'])).toBeUndefined();
  });

  it('refuses a cursor of the right arity whose values do not fit their SQL types', () => {
    const uuid = '0b7e6a40-1c1d-4a8e-9d55-7a5d3f3b2c11';
    refused('bm9wZQ', ['bigint']);
    refused('%%%', ['bigint']);
    refused(forged({ 0: '1' }), ['bigint']);
    refused(forged(['1', '2']), ['bigint']);
    for (const bad of [1, 1e300, 'NaN', '-1', '007', '1'.repeat(19), '1.5', '1e5', null, ' 1']) refused(forged([bad]), ['bigint']);
    for (const bad of ['x', 1, '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01', 'infinity', '2026-01-01T00:00:00.1234567Z']) {
      refused(forged([bad, '1']), ['timestamptz', 'bigint']);
    }
    for (const bad of ['abc', 'NaN', '1e400', '1'.repeat(19), '0.12345678901', 1]) refused(forged(['BALANCE', bad, uuid]), [{ oneOf: ['BALANCE'] }, 'numeric', 'uuid']);
    refused(forged(['NAME', 'a', uuid]), [{ oneOf: ['BALANCE'] }, 'text', 'uuid']);
    for (const bad of ['a\u0000b', 'x'.repeat(1001), '\ud800', 7]) refused(forged([bad, uuid]), ['text', 'uuid']);
    for (const bad of ['not-a-uuid', uuid.toUpperCase(), `${uuid}x`, 'cus_' + uuid]) refused(forged(['a', bad]), ['text', 'uuid']);
    for (const bad of ['10.0.0.1/24', '10.0.0.0', '0x0a.0.0.0/8', '10.0.0.0/33', 'fe80::%eth0/64', 'abc']) refused(forged([bad, uuid]), ['cidr', 'uuid']);
  });
});

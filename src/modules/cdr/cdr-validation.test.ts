import type { CdrInput } from './cdr.inputs';
import { CallDisposition } from './cdr.enums';
import { MAX_DURATION_SECONDS, validateCdrs } from './cdr-validation';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const CUSTOMER = 'cus_0b4f6f0e-5d1a-4c61-9a52-6f3d2b1c0a99';

function row(over: Partial<CdrInput> = {}): CdrInput {
  return Object.assign(
    {
      callId: 'call-1',
      customerId: CUSTOMER,
      callee: '4930123',
      caller: null,
      startedAt: new Date(NOW - 1000),
      duration: 60,
      disposition: CallDisposition.ANSWERED,
      charge: '0.25',
    },
    over,
  ) as CdrInput;
}

describe('validateCdrs', () => {
  it('passes a good row through in SQL-ready shapes', () => {
    const { valid, rejected } = validateCdrs([row({ charge: '000.2500' })], NOW);
    expect(rejected).toEqual([]);
    expect(valid).toEqual([
      expect.objectContaining({
        index: 0,
        callId: 'call-1',
        ref: { kind: 'id', value: '0b4f6f0e-5d1a-4c61-9a52-6f3d2b1c0a99' },
        startedAtMs: NOW - 1000,
        charge: '0.25',
      }),
    ]);
  });

  it.each<[Partial<CdrInput>, string]>([
    [{ customerId: null }, 'customerId'],
    [{ trunk: 't1' }, 'trunk'],
    [{ customerId: null, trunk: 't1', sourceIp: '10.0.0.1' }, 'sourceIp'],
    [{ customerId: null, sourceIp: 'fe80::1%eth0' }, 'sourceIp'],
    [{ customerId: null, trunk: '' }, 'trunk'],
    [{ duration: -1 }, 'duration'],
    [{ duration: MAX_DURATION_SECONDS + 1 }, 'duration'],
    [{ duration: 1.5 }, 'duration'],
    [{ charge: '-0.01' }, 'charge'],
    [{ charge: '1e3' }, 'charge'],
    [{ charge: '0.00000000001' }, 'charge'],
    [{ startedAt: new Date(NOW + 5 * 60_000 + 1) }, 'startedAt'],
    [{ startedAt: new Date(0) }, 'startedAt'],
    [{ callee: '' }, 'callee'],
    [{ caller: 'x'.repeat(65) }, 'caller'],
    [{ callId: 'x'.repeat(129) }, 'callId'],
    [{ callId: ' ' }, 'callId'],
    [{ callId: '\u00a0\u3000\ufeff' }, 'callId'],
    [{ callee: '\t\n ' }, 'callee'],
    [{ callee: 'a\u0000' }, 'callee'],
  ])('refuses %p as INVALID %s', (over, field) => {
    const { valid, rejected } = validateCdrs([row(over)], NOW);
    expect(valid).toEqual([]);
    expect(rejected).toEqual([expect.objectContaining({ index: 0, code: 'INVALID', field })]);
  });

  it('keeps values with inner or trailing blanks, and decodes each customer id once per batch with the same answer', () => {
    const other = 'cus_1a2b3c4d-0000-4000-8000-000000000001';
    const { valid, rejected } = validateCdrs(
      [row({ callee: '4930 123 ' }), row({ callId: 'call-2', customerId: other }), row({ callId: 'call-3' }), row({ callId: 'call-4', customerId: 'cus_nope' }), row({ callId: 'call-5', customerId: 'cus_nope' })],
      NOW,
    );
    expect(rejected).toEqual([]);
    expect(valid.map((v) => v.ref.value)).toEqual(['0b4f6f0e-5d1a-4c61-9a52-6f3d2b1c0a99', '1a2b3c4d-0000-4000-8000-000000000001', '0b4f6f0e-5d1a-4c61-9a52-6f3d2b1c0a99', '', '']);
    expect(valid[0].callee).toBe('4930 123 ');
  });

  it('matches an IPv4-mapped IPv6 source as its IPv4 address, other IPv6 as written', () => {
    const sources = [' ::ffff:198.51.100.250', '::FFFF:C633:64FA', '198.51.100.250', '2001:db8::1'];
    const { valid, rejected } = validateCdrs(sources.map((sourceIp, i) => row({ callId: `c${i}`, customerId: null, sourceIp })), NOW);
    expect(rejected).toEqual([]);
    expect(valid.map((v) => v.ref)).toEqual([
      { kind: 'ip', value: '198.51.100.250' },
      { kind: 'ip', value: '198.51.100.250' },
      { kind: 'ip', value: '198.51.100.250' },
      { kind: 'ip', value: '2001:db8::1' },
    ]);
  });

  it('accepts a start within the clock skew and a zero duration', () => {
    expect(validateCdrs([row({ startedAt: new Date(NOW + 4 * 60_000), duration: 0 })], NOW).valid).toHaveLength(1);
  });

  it('marks later repeats of a callId DUPLICATE_IN_BATCH, even after an invalid first', () => {
    const { valid, rejected } = validateCdrs([row({ duration: -1 }), row(), row({ callId: 'call-2' }), row({ callId: 'call-2' })], NOW);
    expect(valid.map((v) => v.index)).toEqual([2]);
    expect(rejected.map((r) => [r.index, r.code])).toEqual([
      [0, 'INVALID'],
      [1, 'DUPLICATE_IN_BATCH'],
      [3, 'DUPLICATE_IN_BATCH'],
    ]);
  });
});

describe('validateCdrs with retention', () => {
  const NOW_MS = Date.UTC(2026, 11, 2, 12);
  const KEPT_SINCE = Date.UTC(2026, 10, 29);
  const at = (ms: number, callId: string) => row({ callId, startedAt: new Date(ms) });

  it('refuses a start before what is kept with BEYOND_RETENTION on startedAt, and keeps the first kept instant', () => {
    const { valid, rejected } = validateCdrs([at(KEPT_SINCE - 1, 'old'), at(KEPT_SINCE, 'first'), at(Date.UTC(1999, 0, 1), 'unset')], NOW_MS, KEPT_SINCE);
    expect(valid.map((v) => v.callId)).toEqual(['first']);
    expect(rejected.map((r) => [r.callId, r.code, r.field])).toEqual([
      ['old', 'BEYOND_RETENTION', 'startedAt'],
      ['unset', 'INVALID', 'startedAt'],
    ]);
    expect(validateCdrs([at(KEPT_SINCE - 1, 'old')], NOW_MS).valid).toHaveLength(1);
  });
});

import type { ChargedCdr } from '../domain-hooks';
import { minuteBuckets } from './alert-engine';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function cdr(customerId: string, at: string, duration: number, disposition: ChargedCdr['disposition'], charge: string): ChargedCdr {
  return { id: '1', customerId, trunkId: null, callId: 'c', startedAt: new Date(at), duration, disposition, charge };
}

describe('minuteBuckets', () => {
  it('groups by customer and UTC minute, in (customer, minute) order, with exact spend', () => {
    const [customers, minutes, attempts, answered, seconds, spend] = minuteBuckets([
      cdr(B, '2026-11-23T10:15:59.999Z', 30, 'ANSWERED', '0.1'),
      cdr(A, '2026-11-23T10:16:00Z', 12, 'ANSWERED', '0.0000000001'),
      cdr(B, '2026-11-23T10:15:00Z', 99, 'BUSY', '0.2'),
      cdr(A, '2026-11-23T10:16:30Z', 7, 'ANSWERED', '12345678901234567.9999999999'),
      cdr(A, '2026-11-23T10:14:00Z', 0, 'NO_ANSWER', '0'),
    ]);
    const m = (iso: string) => Date.parse(iso) / 1000;
    expect(customers).toBe(`{${A},${A},${B}}`);
    expect(minutes).toBe(`{${m('2026-11-23T10:14:00Z')},${m('2026-11-23T10:16:00Z')},${m('2026-11-23T10:15:00Z')}}`);
    expect(attempts).toBe('{1,2,2}');
    expect(answered).toBe('{0,2,1}');
    expect(seconds).toBe('{0,19,30}');
    expect(spend).toBe('{0,12345678901234568,0.3}');
  });

  it('sums 10,000 charges of 0.000001 to exactly 0.01', () => {
    const cdrs = Array.from({ length: 10_000 }, () => cdr(A, '2026-11-23T10:15:00Z', 1, 'ANSWERED', '0.000001'));
    expect(minuteBuckets(cdrs)[5]).toBe('{0.01}');
  });
});

import { byAvailableCredit, compareDecimal } from './customers-state';

describe('customers board order', () => {
  it('compares decimals exactly, whatever their scales and signs', () => {
    expect(compareDecimal('-0.5', '0.25')).toBe(-1);
    expect(compareDecimal('10.10', '10.1')).toBe(0);
    expect(compareDecimal('100000000000000000000.01', '100000000000000000000.001')).toBe(1);
    expect(compareDecimal('-12.5', '-3')).toBe(-1);
    expect(compareDecimal('0.1', '0.30000000000000004')).toBe(-1);
  });

  it('lists the lowest available credit first', () => {
    const c = (id: string, availableCredit: string) => ({ id, availableCredit }) as Parameters<typeof byAvailableCredit>[0] extends Iterable<infer T> ? T : never;
    expect(byAvailableCredit([c('a', '5'), c('b', '-20.5'), c('c', '0'), c('d', '-3')]).map((x) => x.id)).toEqual(['b', 'd', 'c', 'a']);
  });
});

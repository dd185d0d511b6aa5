import { dec, isCanonicalDecimal, negateDecimal, normaliseDecimal, parseDecimal, parseDecimalSyntax } from './decimal';
import { DecimalScalar } from './scalars';

describe('parseDecimal', () => {
  it.each([
    ['100', '100'],
    ['-2.5', '-2.5'],
    ['0.0125', '0.0125'],
    ['+007.500', '7.5'],
    ['-0.000', '0'],
    ['0.000001', '0.000001'],
    ['123456789012345678.0123456789', '123456789012345678.0123456789'],
  ])('%s -> %s', (input, expected) => {
    expect(parseDecimal(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['1e400', 'NaN', 'Infinity', 'abc', '', '1.', '.5', '1,5', '0x10', '1234567890123456789', '0.12345678901', ' - 1'])(
    'refuses %p',
    (input) => {
      expect(parseDecimal(input).ok).toBe(false);
    },
  );

  it('takes a string as it is exactly when the full parse would return it unchanged', () => {
    const parts = ['', '-', '+', '0', '00', '1', '10', '007', '.', '5', '50', '05', ' ', 'e', '123456789012345678', '1234567890123456789', '0123456789'];
    let canonical = 0;
    for (const a of parts) {
      for (const b of parts) {
        for (const c of parts) {
          const s = a + b + c;
          const full = parseDecimalSyntax(s);
          const unchanged = full.ok && full.value === s;
          expect([s, isCanonicalDecimal(s)]).toEqual([s, unchanged]);
          expect(parseDecimal(s)).toEqual(full);
          if (unchanged) canonical++;
        }
      }
    }
    expect(canonical).toBeGreaterThan(100);
  });

  it('refuses fractional JS numbers but takes safe integers', () => {
    expect(parseDecimal(0.1).ok).toBe(false);
    expect(parseDecimal(42)).toEqual({ ok: true, value: '42' });
  });

  it('adds exactly: 0.1 + 0.2 is 0.3', () => {
    expect(dec('0.1').plus('0.2').toFixed()).toBe('0.3');
  });

  it('normalises NUMERIC output', () => {
    expect(normaliseDecimal('100.0000000000')).toBe('100');
    expect(normaliseDecimal('-0.0100000000')).toBe('-0.01');
    expect(normaliseDecimal('-0.0000000000')).toBe('0');
    expect(normaliseDecimal('0.0000000000')).toBe('0');
    expect(normaliseDecimal('120.0000000000')).toBe('120');
    expect(normaliseDecimal('007.50')).toBe('7.5');
    expect(normaliseDecimal('123456789012345678.1234567890')).toBe('123456789012345678.123456789');
    expect(normaliseDecimal('1e3')).toBe('1000');
    expect(() => normaliseDecimal(1 as unknown as string)).toThrow();
  });
});

describe('Decimal scalar', () => {
  it('parses strings and rejects floats-as-strings with BAD_USER_INPUT', () => {
    expect(DecimalScalar.parseValue('12.50')).toBe('12.5');
    for (const bad of ['1e400', 'NaN', 'abc']) {
      try {
        DecimalScalar.parseValue(bad);
        throw new Error('accepted ' + bad);
      } catch (e) {
        expect((e as { extensions?: { code?: string } }).extensions?.code).toBe('BAD_USER_INPUT');
      }
    }
  });

  it('serialises NUMERIC strings canonically', () => {
    expect(DecimalScalar.serialize('5.1000000000')).toBe('5.1');
  });
});

describe('negateDecimal', () => {
  it.each([
    ['12.50', '-12.5'],
    ['-0.25', '0.25'],
    ['0', '0'],
    ['0.0000000000', '0'],
    ['-100.0000000000', '100'],
  ])('%s -> %s', (input, expected) => {
    expect(negateDecimal(input)).toBe(expected);
  });
});

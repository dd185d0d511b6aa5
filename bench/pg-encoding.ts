/**
 * What node-postgres does to a parameter before sending it: prepareValue turns a JS
 * array into a Postgres array literal (text). Measured per 5,000-element column.
 */
// pg's own converter, the one Client.query applies to every parameter.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

export interface EncodingCost {
  what: string;
  microseconds: number;
}

function cost(value: unknown[]): number {
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    prepareValue(value);
    best = Math.min(best, performance.now() - t0);
  }
  return best * 1000;
}

export function measureParamEncoding(n: number): EncodingCost[] {
  const now = Date.now();
  const dates = Array.from({ length: n }, (_, i) => new Date(now - i * 1000));
  const isoStrings = dates.map((d) => d.toISOString());
  const numbers = Array.from({ length: n }, (_, i) => (i % 1000) / 1000);
  const decimals = numbers.map((x) => x.toFixed(6));
  const callIds = Array.from({ length: n }, (_, i) => `call-${i}-0123456789abcdef`);
  return [
    { what: 'timestamptz[] from Date objects', microseconds: cost(dates) },
    { what: 'timestamptz[] from ISO strings', microseconds: cost(isoStrings) },
    { what: 'numeric[] from JS numbers (inexact)', microseconds: cost(numbers) },
    { what: 'numeric[] from decimal strings', microseconds: cost(decimals) },
    { what: 'text[] of call ids', microseconds: cost(callIds) },
  ];
}

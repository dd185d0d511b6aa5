/**
 * What node-postgres does to a parameter before sending it: prepareValue turns a JS
 * array into a Postgres array literal (text). Measured per 5,000-element column, and
 * the hot path's own literal (plainArrayLiteral) for the two ways of sending starts as
 * integers.
 */
import { plainArrayLiteral } from '../src/platform/db/array-literal';
// pg's own converter, the one Client.query applies to every parameter.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

export interface EncodingCost {
  what: string;
  microseconds: number;
}

function cost(value: unknown[], encode: (v: unknown[]) => unknown = prepareValue): number {
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    // The literal is flattened as the socket write would (a string built by += is a rope until then).
    Buffer.byteLength(encode(value) as string);
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
  // A batch's starts spread over an hour, as bench:cdr sends them.
  const epochMs = Array.from({ length: n }, () => now - Math.floor(Math.random() * 3_600_000));
  const offsets = epochMs.map((ms) => ms - epochMs[0]);
  const literal = (v: unknown[]) => plainArrayLiteral(v as number[]);
  return [
    { what: 'timestamptz[] from Date objects', microseconds: cost(dates) },
    { what: 'timestamptz[] from ISO strings', microseconds: cost(isoStrings) },
    { what: 'numeric[] from JS numbers (inexact)', microseconds: cost(numbers) },
    { what: 'numeric[] from decimal strings', microseconds: cost(decimals) },
    { what: 'text[] of call ids', microseconds: cost(callIds) },
    { what: 'int8[] of epoch milliseconds, by plainArrayLiteral', microseconds: cost(epochMs, literal) },
    { what: "int8[] of milliseconds from the batch's first start, by plainArrayLiteral (the hot path)", microseconds: cost(offsets, literal) },
  ];
}

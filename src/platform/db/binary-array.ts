/**
 * PostgreSQL arrays in the binary wire format (what array_recv reads), for the bind
 * parameters of statements that carry a batch as one array per column. node-postgres
 * sends a Buffer parameter in binary format (format code 1, per parameter; the others
 * stay text), and the statement's cast (`$1::int[]`) names its type, so the server
 * reads each element by its type's receive function instead of parsing text.
 *
 * Why not the text literals of array-literal.ts: per 5,000 elements the server spent
 * 1.8-2.7 ms of CPU reading a text[] literal against 0.9-1.1 ms for the same array in
 * binary, and 0.22-0.35 against 0.10-0.20 ms for an int[] (600 round trips each, the
 * backend's CPU from /proc), and a 4,400-element uuid[] literal about 3 ms; in the app,
 * a literal is built as a rope of 10,000 pieces that node-postgres then flattens and
 * encodes, where a Buffer is copied as it is. No maintained library encodes node-postgres
 * parameters this way (binary codecs come with clients of their own, such as postgrejs);
 * the format is small and fixed: ndim, a has-null flag, the element type's OID, per
 * dimension its length and lower bound, then per element its byte length (-1: NULL)
 * and its bytes (PostgreSQL's src/backend/utils/adt/arrayfuncs.c, array_recv).
 *
 * One dimension, lower bound 1 (as a literal's): `($n::uuid[])[pos]` reads positions from 1.
 */

/** Element type OIDs (pg_type). */
const OID = { bool: 16, int8: 20, int4: 23, text: 25, uuid: 2950 } as const;

const HEADER_BYTES = 20;
const TWO_32 = 4294967296;

/** A buffer of `bytes` with the one-dimensional header written; an empty array has no dimension. */
function withHeader(bytes: number, oid: number, count: number, hasNull: boolean): Buffer {
  const buf = Buffer.allocUnsafe(count === 0 ? 12 : bytes);
  buf.writeInt32BE(count === 0 ? 0 : 1, 0);
  buf.writeInt32BE(hasNull ? 1 : 0, 4);
  buf.writeUInt32BE(oid, 8);
  if (count > 0) {
    buf.writeInt32BE(count, 12);
    buf.writeInt32BE(1, 16);
  }
  return buf;
}

/** A NULL element (length -1, no bytes) at `at`; where the next element goes. */
function writeNull(buf: Buffer, at: number): number {
  buf.writeInt32BE(-1, at);
  return at + 4;
}

/**
 * text[]; null is NULL. Any text (PostgreSQL's own check refuses NUL characters, as for a
 * literal). One pass: the buffer is sized for the longest UTF-8 a string can take (3 bytes
 * per UTF-16 unit: a surrogate pair is 4 bytes for 2 units, a lone one U+FFFD's 3), ASCII is
 * copied by character code, and a string with anything else is encoded by Buffer.write,
 * as before. Measuring each string (Buffer.byteLength) and then writing it were two native
 * calls per element: 0.076-0.087 ms per 1,000 callIds against 0.037 (a loop over 50 such
 * arrays; a 1,000-record batch sends three text arrays of 1,000).
 */
export function binaryTextArray(values: readonly (string | null)[]): Buffer {
  let most = HEADER_BYTES;
  let hasNull = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) hasNull = true;
    else most += 3 * v.length;
    most += 4;
  }
  const buf = withHeader(most, OID.text, values.length, hasNull);
  if (values.length === 0) return buf;
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      at = writeNull(buf, at);
      continue;
    }
    const start = at + 4;
    let k = 0;
    for (; k < v.length; k++) {
      const c = v.charCodeAt(k);
      if (c >= 0x80) break;
      buf[start + k] = c;
    }
    const n = k === v.length ? k : buf.write(v, start, 'utf8');
    buf.writeInt32BE(n, at);
    at = start + n;
  }
  return buf.subarray(0, at);
}

/** int4[] (int); null is NULL. Throws on a value that is not a 32-bit integer. */
export function binaryInt4Array(values: readonly (number | null)[]): Buffer {
  let hasNull = false;
  for (let i = 0; i < values.length; i++) if (values[i] === null) hasNull = true;
  const buf = withHeader(HEADER_BYTES + 8 * values.length, OID.int4, values.length, hasNull);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      at = writeNull(buf, at);
      continue;
    }
    // v | 0 is v only for an integer from -2^31 to 2^31-1.
    if ((v | 0) !== v) throw new RangeError(`int4 array element ${i} is not a 32-bit integer: ${v}`);
    buf.writeInt32BE(4, at);
    buf.writeInt32BE(v, at + 4);
    at += 8;
  }
  return hasNull ? buf.subarray(0, at) : buf;
}

/** int8[] of safe integers (|v| < 2^53), written as two 32-bit halves: no BigInt per element. */
export function binaryInt8Array(values: readonly number[]): Buffer {
  const buf = withHeader(HEADER_BYTES + 12 * values.length, OID.int8, values.length, false);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isSafeInteger(v)) throw new RangeError(`int8 array element ${i} is not a safe integer: ${v}`);
    const high = Math.floor(v / TWO_32);
    buf.writeInt32BE(8, at);
    buf.writeInt32BE(high, at + 4);
    buf.writeUInt32BE(v - high * TWO_32, at + 8);
    at += 12;
  }
  return buf;
}

/** bool[]. */
export function binaryBoolArray(values: readonly boolean[]): Buffer {
  const buf = withHeader(HEADER_BYTES + 5 * values.length, OID.bool, values.length, false);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    buf.writeInt32BE(1, at);
    buf[at + 4] = values[i] ? 1 : 0;
    at += 5;
  }
  return buf;
}

/** Each ASCII code's hex digit value, -1 for a character that is not one. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = d;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(d)] = d;
}
/** Where the 32 hex digits of a canonical uuid (8-4-4-4-12) sit in its 36 characters. */
const UUID_DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * uuid[] of canonical uuids (8-4-4-4-12 hex digits, either case). Throws on anything else.
 * Decoded by character code: Buffer.write(hex) per part took ~1 µs a uuid (9 ms for a
 * bench:scale batch's 4,400 customers, twice), this ~0.05.
 */
export function binaryUuidArray(values: readonly string[]): Buffer {
  const buf = withHeader(HEADER_BYTES + 20 * values.length, OID.uuid, values.length, false);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string' || v.length !== 36 || v.charCodeAt(8) !== 45 || v.charCodeAt(13) !== 45 || v.charCodeAt(18) !== 45 || v.charCodeAt(23) !== 45) {
      throw notUuid(i, v);
    }
    buf.writeInt32BE(16, at);
    for (let b = 0; b < 16; b++) {
      const c = UUID_DIGITS[b];
      const hi = v.charCodeAt(c);
      const lo = v.charCodeAt(c + 1);
      // A code above 127 reads undefined from the table: refused as -1 would be.
      const h = HEX_VALUE[hi];
      const l = HEX_VALUE[lo];
      if (!(h >= 0 && l >= 0)) throw notUuid(i, v);
      buf[at + 4 + b] = (h << 4) | l;
    }
    at += 20;
  }
  return buf;
}

function notUuid(i: number, v: unknown): RangeError {
  return new RangeError(`uuid array element ${i} is not a uuid: ${JSON.stringify(String(v).slice(0, 40))}`);
}

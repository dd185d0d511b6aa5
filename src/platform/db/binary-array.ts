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
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** text[]; null is NULL. Any text (PostgreSQL's own check refuses NUL characters, as for a literal). */
export function binaryTextArray(values: readonly (string | null)[]): Buffer {
  let bytes = HEADER_BYTES;
  let hasNull = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) hasNull = true;
    else bytes += Buffer.byteLength(v, 'utf8');
    bytes += 4;
  }
  const buf = withHeader(bytes, OID.text, values.length, hasNull);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      buf.writeInt32BE(-1, at);
      at += 4;
    } else {
      const n = buf.write(v, at + 4, 'utf8');
      buf.writeInt32BE(n, at);
      at += 4 + n;
    }
  }
  return buf;
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
      buf.writeInt32BE(-1, at);
      at += 4;
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

/** uuid[] of canonical uuids (8-4-4-4-12 hex digits, either case). Throws on anything else. */
export function binaryUuidArray(values: readonly string[]): Buffer {
  const buf = withHeader(HEADER_BYTES + 20 * values.length, OID.uuid, values.length, false);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Buffer.write(hex) stops at the first character that is not hex: checked first.
    if (!UUID_RE.test(v)) throw new RangeError(`uuid array element ${i} is not a uuid: ${JSON.stringify(String(v).slice(0, 40))}`);
    buf.writeInt32BE(16, at);
    buf.write(v.slice(0, 8), at + 4, 'hex');
    buf.write(v.slice(9, 13), at + 8, 'hex');
    buf.write(v.slice(14, 18), at + 10, 'hex');
    buf.write(v.slice(19, 23), at + 12, 'hex');
    buf.write(v.slice(24, 36), at + 14, 'hex');
    at += 20;
  }
  return buf;
}

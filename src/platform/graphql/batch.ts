/**
 * Answers a DataLoader batch from the rows of its one statement. DataLoader wants one
 * result per key, in the keys' order; a statement returns rows in its own order and
 * none for keys it did not find.
 */

/** Each key's value (`missing` where no row has that key). */
export function oneEach<K, R, V>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K, valueOf: (row: R) => V, missing: V): V[] {
  const byKey = new Map(rows.map((r) => [keyOf(r), valueOf(r)]));
  return keys.map((k) => (byKey.has(k) ? byKey.get(k)! : missing));
}

/** Each key's values, in row order ([] where none). */
export function allEach<K, R, V>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K, valueOf: (row: R) => V): V[][] {
  const byKey = new Map<K, V[]>();
  for (const r of rows) {
    const list = byKey.get(keyOf(r));
    if (list) list.push(valueOf(r));
    else byKey.set(keyOf(r), [valueOf(r)]);
  }
  return keys.map((k) => byKey.get(k) ?? []);
}

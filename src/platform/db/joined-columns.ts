/**
 * Another table's columns in the same row, for a list statement that joins what its rows
 * refer to (an event's customer and rule) instead of a statement per relation: each
 * `alias.column` is selected as `"alias.column"`, so no name clashes with the list's own
 * columns, and read back into a row of that table's own column names.
 */
export interface JoinedColumns<R> {
  /** The select list, e.g. `c.id AS "c.id", c.name AS "c.name"`. */
  readonly sql: string;
  /** The joined table's row within `row` (its own column names), or null where the join found none (its first column is null). */
  read(row: Record<string, unknown>): R | null;
}

/** `columns` is a list of `alias.column` (as CUSTOMER_COLUMNS); anything else is refused. */
export function joinedColumns<R>(columns: string): JoinedColumns<R> {
  const names = columns.split(',').map((c) => c.trim());
  const pairs = names.map((qualified) => {
    const m = /^(\w+)\.(\w+)$/.exec(qualified);
    if (!m) throw new Error(`joinedColumns: "${qualified}" is not alias.column`);
    return [qualified, m[2]] as const;
  });
  // The reader is one object literal, built once per column list: copying by computed keys
  // in a loop was ~7% of the CPU of a page of 100 events with their customers and rules.
  // Names are \w+ (checked above), so the generated source holds nothing but them.
  const read = new Function(
    'row',
    `const first = row[${JSON.stringify(pairs[0][0])}];
     if (first === null || first === undefined) return null;
     return { ${pairs.map(([qualified, name]) => `${name}: row[${JSON.stringify(qualified)}]`).join(', ')} };`,
  ) as (row: Record<string, unknown>) => R | null;
  return { sql: pairs.map(([qualified]) => `${qualified} AS "${qualified}"`).join(', '), read };
}

/**
 * A parameterised WHERE built from optional filters: each condition names its value's
 * placeholder, so list queries never splice user input into SQL and never miscount $n.
 */
export class SqlWhere {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Adds `sql(placeholder)` as a condition bound to value. */
  add(sql: (placeholder: string) => string, value: unknown): this {
    this.conditions.push(sql(this.param(value)));
    return this;
  }

  /** Adds a condition with no parameter. */
  raw(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** Binds a value without a condition (LIMIT, keyset bounds); returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** The conditions ANDed ('true' when there are none). */
  get sql(): string {
    return this.conditions.length ? this.conditions.join(' AND ') : 'true';
  }

  /** An independent copy, e.g. the page query extends it with a keyset the count must not see. */
  clone(): SqlWhere {
    const copy = new SqlWhere();
    copy.params.push(...this.params);
    copy.conditions.push(...this.conditions);
    return copy;
  }
}

/**
 * A value computed only when something awaits it. A connection's totalCount (and the
 * "rows beyond the cursor" check of pageInfo) is a statement of its own; handed to
 * graphql-js as a lazy thenable, it runs only when the query selects the field (graphql
 * awaits a field's value, nothing else reads it), and at most once.
 */
export function lazy<T>(compute: () => Promise<T>): PromiseLike<T> {
  let started: Promise<T> | undefined;
  return {
    then<A = T, B = never>(
      onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
      onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
    ): Promise<A | B> {
      started ??= compute();
      return started.then(onfulfilled, onrejected);
    },
  };
}

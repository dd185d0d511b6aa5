/**
 * A subscriber's iterator over a catch-up generator that reads stored rows by cursor and
 * waits on `live` (a cursorStream) for wake-ups. return() ends the live stream first:
 * that wakes a generator waiting on it, so return() cannot hang on a quiet topic.
 */
export function cursorFeed<T>(gen: AsyncGenerator<T, void, undefined>, live: AsyncIterator<unknown>): AsyncIterableIterator<T> {
  const feed: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => feed,
    next: () => gen.next(),
    return: async () => {
      await live.return?.();
      return gen.return(undefined);
    },
  };
  return feed;
}

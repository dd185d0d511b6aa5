/**
 * An iterator of the source's messages that pass `keep`. Unlike an async generator,
 * return() reaches the source at once even while a next() is pending, so a closed
 * subscription unsubscribes immediately instead of after its next message.
 */
export function filterIterator<T>(source: AsyncIterableIterator<T>, keep: (value: T) => boolean): AsyncIterableIterator<T> {
  return {
    async next() {
      for (;;) {
        const r = await source.next();
        if (r.done || keep(r.value)) return r;
      }
    },
    async return() {
      return (await source.return?.()) ?? { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

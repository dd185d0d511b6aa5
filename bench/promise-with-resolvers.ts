/**
 * PostGraphile 5.1 targets Node 22 and calls Promise.withResolvers (grafast, grafserv,
 * @dataplan/pg), which Node 20 lacks. Imported first by the PostGraphile bench process.
 */
const P = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};

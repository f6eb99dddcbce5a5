// js-libp2p 2.x runs on Node 20 except for one ES2024 built-in: its peer store's lock (mortice ->
// it-queue) calls Promise.withResolvers, which Node 22 has and Node 20 lacks. This adds the standard
// definition where it is missing; it changes nothing on Node 22.
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e?: unknown) => void };

const P = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}

import type { Store } from '../../src/index.ts';

/** Durations (ms) of a store's calls, by method name. */
export type StoreTimes = Record<string, number[]>;

/**
 * Wraps a store so every call to one of `methods` is timed (ms, wall clock from call to
 * settle). The wrapped store behaves exactly like the original.
 * @param methods method names to time (default `put`, `delete`, `batch`)
 */
export function timedStore(
  store: Store,
  methods = ['put', 'delete', 'batch'],
): { store: Store; times: StoreTimes } {
  const times: StoreTimes = Object.fromEntries(methods.map((m) => [m, []]));
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !methods.includes(prop) || typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const p = (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        return p.finally(() => times[prop].push(performance.now() - t0));
      };
    },
  });
  return { store: wrapped, times };
}

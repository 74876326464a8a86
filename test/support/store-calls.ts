import type { RecoveryStore } from '../../src/recovery/index.js';

const SWEEPERS_CALL = 'purgeExpired';

/**
 * The store, with every method call recorded by name: what a test needs to see that a
 * request was refused before it reached storage, which the answer alone cannot show.
 * The sweeper's purges are not requests' calls: the app runs it over this very store, on
 * a timer, so they are left out.
 */
export function recordingStoreCalls<S extends RecoveryStore>(store: S): { store: S; calls: string[] } {
  const calls: string[] = [];
  const recording = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string' || property === SWEEPERS_CALL) return value;
      return (...args: unknown[]): unknown => {
        calls.push(property);
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: recording, calls };
}

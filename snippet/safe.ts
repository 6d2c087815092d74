/**
 * Wraps a function so that nothing it throws reaches the host page. Every
 * entry point from the outside (commands, listeners, timers, observers,
 * promise callbacks) goes through this: a broken host page must never see a
 * Lodestone exception.
 */
export const safe =
  <A extends unknown[], R>(fn: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch {
      /* swallowed: see above */
    }
  };

/** Swallows a promise rejection (no unhandledrejection in the host page). */
export const quiet = (): void => {};

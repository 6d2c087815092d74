import { useLayoutEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';

/** What a view shows while its data comes: loading, the data, or the error. */
export type Loaded<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'error'; error: ApiError | Error };

/**
 * Loads data for a view and reloads when `deps` change; a reload that
 * overtakes an earlier one wins (the earlier is aborted). `reload()` fetches
 * again after a change the view made itself. While `ready` is false
 * nothing is asked yet (the state stays loading): for data that should wait
 * for another request.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], ready = true): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  // A layout effect: the request leaves right after the render, not a frame later.
  useLayoutEffect(() => {
    if (!ready) return;
    const ctl = new AbortController();
    setResult((r) => (r.state === 'ready' ? r : { state: 'loading' }));
    load(ctl.signal).then(
      (data) => ctl.signal.aborted || setResult({ state: 'ready', data }),
      (error: Error) => ctl.signal.aborted || error.name === 'AbortError' || setResult({ state: 'error', error }),
    );
    return () => ctl.abort();
  }, [...deps, tick, ready]);
  return [result, () => setTick((t) => t + 1)];
}

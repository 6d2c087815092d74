/**
 * Notices every way a page can change without a load: history.pushState and
 * replaceState (wrapped; the original runs first and its result and
 * exceptions are the page's own), popstate (back/forward), hashchange (only
 * with hash routing on) and a restore from the back/forward cache. It only
 * reports "maybe a new page"; the tracker decides whether the page key
 * really changed, so one URL counts once.
 */
import { safe } from './safe';

export function watchPages(win: Window, hash: boolean, changed: (restored?: boolean) => void): void {
  const check = safe(changed);
  const h = win.history;
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = h[name];
    h[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  }
  win.addEventListener('popstate', () => check());
  if (hash) win.addEventListener('hashchange', () => check());
  win.addEventListener('pageshow', (e) => e.persisted && check(true));
}

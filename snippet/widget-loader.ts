/**
 * Loads the lead-magnet widget (w.js, next to s.js) when, and only when, the
 * page has a `[data-lodestone-magnet]` element, now or later (SPAs render
 * late): a MutationObserver watches until one appears, then disconnects.
 */
import { safe } from './safe';

export function loadWidgetWhenNeeded(doc: Document, inject: (file: string) => void): void {
  const check = safe(() => {
    if (doc.querySelector('[data-lodestone-magnet]')) {
      observer.disconnect();
      inject('w.js');
    }
  });
  const observer = new MutationObserver(check);
  observer.observe(doc.documentElement, { childList: true, subtree: true });
  check();
}

/**
 * The first-load part of the snippet: the `lodestone()` command function,
 * consent (from every source) and revoke's clean-up. It sends nothing and
 * stores nothing; the tracker, which does, is loaded only once tracking is
 * allowed (analytics consent, or the anonymous mode).
 */
import { fromApi, fromAttribute, level, privacySignal, reduce, type Consent, type Signal } from './consent';
import { safe } from './safe';
import { watchConsentMode, watchTcf } from './sources';
import type { Level, Lodestone, Options, StartTracker, Tracker } from './types';
import { loadWidgetWhenNeeded } from './widget-loader';
import { wipe } from './wipe';

/**
 * Installs `window.lodestone` and starts consent handling.
 *
 * @param options data attributes (or `init()` options)
 * @param base    URL the snippet was loaded from; t.js, w.js and the endpoint resolve against it
 * @param nonce   the snippet's CSP nonce, given to the scripts it loads
 * @param start   the tracker, when bundled (ES build); else t.js is loaded and
 *                calls `lodestone('tracker', start)`
 */
export function boot(options: Options, base: string, nonce: string, start?: StartTracker): void {
  const win = window;
  const doc = document;
  const prev = win.lodestone;
  // Loaded twice (or the ES module and the tag): the first copy owns the page.
  if (prev?.loaded || !options.site) return;

  const inject = safe((file: string) => {
    const s = doc.createElement('script');
    s.src = new URL(file, base).href;
    // A nonce-based CSP allows what the page allowed for s.js.
    s.nonce = nonce;
    doc.head.appendChild(s);
  });
  const refused = options.gpc != 'ignore' && privacySignal(navigator, win);
  let state: Consent = {};
  let lvl: Level = 0;
  /** undefined: not asked for yet; 0: loading. */
  let tracker: Tracker | 0 | undefined;
  /** Tracker commands that arrived while t.js was loading. */
  let waiting: ArrayLike<unknown>[] = [];

  const signal = (s?: Signal | false) => {
    if (s) state = reduce(state, s);
    const next = level(state, options.mode == 'anonymous', refused);
    if (next == lvl) return;
    // Leaving full tracking is a revoke: the id and the stored queue go.
    if (lvl > 1) wipe();
    lvl = next;
    if (!lvl) waiting = [];
    if (tracker) tracker.level(lvl);
    else if (lvl && tracker == null) {
      tracker = 0;
      start ? lodestone('tracker', start) : inject('t.js');
    }
  };

  const lodestone: Lodestone = function (command: string, a?: unknown) {
    try {
      if (command == 'consent') signal(fromApi(a as Parameters<typeof fromApi>[0]));
      else if (command == 'revoke') {
        signal({ a: false, m: false });
        // Also wipes what an earlier page stored when this one never had consent.
        wipe();
      } else if (command == 'tracker') {
        if (tracker) return;
        tracker = (a as StartTracker)({ options, base, marketing: () => !!state.m });
        tracker.level(lvl);
        for (const w of waiting) tracker.command(w);
      } else if (tracker) return tracker.command(arguments);
      // A visitor callback waits for consent even when nothing else may.
      else if (lvl || (command == 'visitor' && a)) waiting.push(arguments);
    } catch {
      /* never into the host page */
    }
  };
  lodestone.loaded = true;
  win.lodestone = lodestone;

  // The page's own state first (attribute, Consent Mode, TCF), then the calls
  // it made through the loader stub, in their order.
  const emit = safe(signal);
  emit(fromAttribute(options.consent));
  watchConsentMode(win, emit);
  watchTcf(win, emit);
  for (const args of prev?.q || []) lodestone.apply(0, args as Parameters<Lodestone>);
  loadWidgetWhenNeeded(doc, inject);
}

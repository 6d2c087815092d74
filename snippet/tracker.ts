/**
 * The tracker (t.js): loaded only once tracking is allowed. It turns pages,
 * clicks, visible time and API calls into events and hands them to the
 * queue. At level 0 it is inert: hooks stay installed but record nothing.
 */
import { LIMITS, type EventKind, type WireEvent } from '../protocol/events';
import { watchClicks } from './clicks';
import { trackerConfig } from './config';
import { newId } from './id';
import { forgetVisitor, visitorId } from './identity';
import { watchPages } from './pages';
import { cleanProps, text } from './payload';
import { createQueue } from './queue';
import { safe } from './safe';
import type { Level, StartTracker } from './types';
import { externalReferrer, pageKey, pageUrl, utmFrom } from './url';

/** Event commands and the field their first argument fills. */
const COMMANDS: Record<string, 'name' | 'target' | 'magnet'> = {
  track: 'name',
  download: 'target',
  form_view: 'magnet',
  form_submit: 'magnet',
};

type VisitorCallback = (vid: string, consent: { analytics: boolean; marketing: boolean }) => void;

export const startTracker: StartTracker = (host) => {
  const cfg = trackerConfig(host.options, host.base);
  const win = window;
  const doc = document;
  const loc = location;
  let lvl: Level = 0;
  /** Key and URL of the page last counted ('' = none yet at this level). */
  let key = '';
  let url = '';
  /** The first page view of this load carries referrer and UTM (first hit of a visit). */
  let first = true;
  /** Since when the current page is visible and timed (0 = not timed). */
  let shown = 0;
  /** `visitor` callbacks waiting for consent. */
  let asking: VisitorCallback[] = [];
  const queue = createQueue(host.options.site!, cfg.endpoint, () => lvl > 1);

  const emit = (kind: EventKind, extra?: Partial<WireEvent>) => {
    if (!lvl) return;
    const e: WireEvent = { id: newId(), kind, ts: Date.now(), url: url || pageUrl(loc, cfg.hash), ...extra };
    if (lvl > 1) e.vid = visitorId();
    queue.add(e);
  };

  const time = () => {
    shown = lvl && !doc.prerendering && doc.visibilityState == 'visible' ? Date.now() : 0;
  };
  /** Engaged time: sent for the page it was spent on, when the page goes. */
  const spent = () => {
    const ms = shown && Date.now() - shown;
    if (ms > 0) emit('engagement', { ms: Math.min(ms, LIMITS.engagedMsMax) });
    time();
  };

  const view = safe((restored?: boolean) => {
    // A prerendered page (Speculation Rules) counts once it is shown, if ever.
    if (!lvl || doc.prerendering) return;
    if (restored) {
      // Back from the bfcache: a new view of the same page; the time in the cache does not count.
      shown = 0;
      key = '';
    }
    const k = pageKey(loc, cfg.hash);
    if (k == key) return;
    spent();
    key = k;
    url = pageUrl(loc, cfg.hash);
    emit('pageview', first ? { ref: externalReferrer(doc.referrer, loc.host), utm: utmFrom(loc.search) } : undefined);
    first = false;
    if (cfg.pricing.test(k)) emit('pricing_view');
  });

  /** Answers `visitor` callbacks once there is an id. */
  const answer = () => {
    if (lvl > 1) for (const cb of asking.splice(0)) safe(cb)(visitorId(), { analytics: true, marketing: host.marketing() });
  };

  /** The page is hidden or going away (pagehide comes before visibilitychange when leaving). */
  const hidden = safe(() => {
    spent();
    shown = 0;
    queue.flush(true);
  });

  watchPages(win, cfg.hash, view);
  doc.addEventListener('prerenderingchange', () => view());
  watchClicks(doc, cfg.downloads, (kind, target) => emit(kind, { target }));
  doc.addEventListener('visibilitychange', safe(() => (doc.visibilityState == 'hidden' ? hidden() : time())));
  win.addEventListener('pagehide', hidden);
  win.addEventListener('online', () => queue.flush());

  return {
    command: safe((args: ArrayLike<unknown>) => {
      if (args[0] == 'visitor') {
        if (typeof args[1] == 'function') asking.push(args[1] as VisitorCallback);
        answer();
        return lvl > 1 ? visitorId() : undefined;
      }
      const command = args[0] as string;
      const field = COMMANDS[command];
      // Limits: a custom name and a magnet id are as long as nameMaxLength; a target is a URL.
      const value = field && text(args[1], field == 'target' ? LIMITS.urlMaxLength : LIMITS.nameMaxLength);
      if (value) emit(command == 'track' ? 'custom' : (command as EventKind), { [field]: value, props: cleanProps(args[2]) });
    }),
    level: safe((next: Level) => {
      if (next < lvl) {
        // Revoke: nothing recorded so far leaves any more.
        queue.clear();
        forgetVisitor();
        shown = 0;
        if (!next) key = url = '';
      }
      lvl = next;
      view();
      if (!shown) time();
      answer();
      queue.flush();
    }),
  };
};

// @ts-check
/** The event tail (admin token): newest events, and with --follow the ones still to come. */
import { AUTH_ADMIN, enc } from '../command.mjs';
import { Unreachable } from '../errors.mjs';
import { iso, raw } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'events',
    args: ['<site>'],
    options: ['limit', 'follow', 'interval'],
    help: `events <site> [--limit N] [--follow] [--interval MS]\n  Newest events, oldest first. --follow keeps printing new ones; when the server\n  goes away it retries with backoff and resumes where it stopped.\n${AUTH_ADMIN}`,
    run: async ({ api, args: [site = ''], values, print, io }) => {
      const limit = Number(values.limit ?? 20);
      const line = (/** @type {any} */ e, /** @type {any} */ r) => values.json ? JSON.stringify(r)
        : [iso(e.received_at), e.kind.padEnd(12), e.path, e.target ?? e.name ?? e.magnet_id ?? (e.engaged_ms != null ? `${e.engaged_ms} ms` : ''),
          e.visitor_id ? `vid=${e.visitor_id}` : 'anonymous', e.country ?? ''].filter(Boolean).join('  ');
      /** Prints a page (newest first from the API) oldest first. @param {any} page */
      const show = (page) => {
        const rawEvents = raw(page).events;
        for (let i = page.events.length - 1; i >= 0; i--) print(line(page.events[i], rawEvents[i]));
      };
      const first = await api('GET', `/admin/sites/${enc(site)}/events?limit=${limit}`);
      show(first);
      if (!values.follow) return;
      // Resume from the newest instant seen; events of that very millisecond are
      // asked for again and the ones already printed are skipped.
      let since = raw(first).events[0]?.received_at ?? Date.now() - 1;
      let seen = new Set(raw(first).events.filter((/** @type {any} */ e) => e.received_at === since).map((/** @type {any} */ e) => e.event_id));
      const interval = Number(values.interval ?? 1000);
      let backoff = 0;
      for (;;) {
        await io.sleep(backoff || interval);
        let next;
        try {
          next = await api('GET', `/admin/sites/${enc(site)}/events?limit=500&since=${since - 1}`);
        } catch (err) {
          if (!(err instanceof Unreachable)) throw err;
          // One notice per outage; the lines resume where they stopped.
          if (!backoff) io.err(`lodestone: ${err.message} Retrying until it is back (Ctrl-C to stop).`);
          backoff = Math.min(backoff ? backoff * 2 : 500, 10_000);
          continue;
        }
        backoff = 0;
        const rawEvents = raw(next).events;
        const fresh = { events: [] };
        const freshRaw = [];
        for (const [i, e] of rawEvents.entries()) {
          if (e.received_at < since || (e.received_at === since && seen.has(e.event_id))) continue;
          fresh.events.push(/** @type {never} */ (next.events[i]));
          freshRaw.push(e);
        }
        for (let i = fresh.events.length - 1; i >= 0; i--) print(line(fresh.events[i], freshRaw[i]));
        if (freshRaw.length) {
          const newest = freshRaw[0].received_at;
          if (newest !== since) seen = new Set();
          since = newest;
          for (const e of freshRaw) if (e.received_at === since) seen.add(e.event_id);
        }
      }
    },
  },
];

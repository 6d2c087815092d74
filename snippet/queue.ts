/**
 * Batching and lossless delivery.
 *
 * Events wait in memory and leave in batches: when BATCH_SIZE are waiting,
 * BATCH_WAIT ms after the first one, or when the page is hidden or left
 * (visibilitychange → hidden, pagehide). A batch that cannot be sent
 * (offline, network error, 5xx) is kept: in IndexedDB at full level (sent
 * again on the next load, on `online` and with every later flush), in memory
 * otherwise (anonymous mode stores nothing). Event ids make retries
 * idempotent: the edge stores an id once. Memory and IndexedDB are both
 * bounded at MAX_EVENTS; the oldest events are dropped and counted, and the
 * count travels with the next batch (`dropped`).
 */
import type { WireEvent } from '../protocol/events';
import { pack } from './payload';
import { quiet, safe } from './safe';
import { createStore, type Store } from './store';
import { send } from './transport';

export const BATCH_SIZE = 10;
export const BATCH_WAIT = 2000;
export const MAX_EVENTS = 500;

export interface Queue {
  add(event: WireEvent): void;
  /**
   * Sends what waits, and what an earlier page or a failed send left in
   * IndexedDB. `leaving`: the page is being hidden or left (see transport.ts).
   */
  flush(leaving?: boolean): void;
  /** Forgets everything in memory, including sends in flight (revoke). */
  clear(): void;
}

/**
 * @param persistent whether storing is allowed right now (full level); asked
 *                   at every step, so a revoke stops storage at once
 */
export function createQueue(site: string, endpoint: string, persistent: () => boolean): Queue {
  let waiting: WireEvent[] = [];
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let store: Store | undefined;
  let draining: unknown;
  /** Bumped by clear(): answers to sends from before are ignored. */
  let epoch = 0;

  const cap = (list: WireEvent[]) => {
    const over = list.length - MAX_EVENTS;
    return over > 0 ? ((dropped += over), list.slice(over)) : list;
  };
  const db = () => (store ||= createStore(() => (store = undefined)));

  /**
   * Sends body after body (one at a time: browsers cap the bytes of
   * keepalive requests in flight at 64 KiB). At the first failure the rest
   * is kept, unless it came from the store (where it still is).
   */
  const post = async (events: WireEvent[], stored?: boolean, leaving?: boolean) => {
    const count = dropped;
    const at = epoch;
    let done = 0;
    dropped = 0;
    for (const part of pack(site, events, count)) {
      const ok = await send(endpoint, part.body, leaving);
      if (at != epoch) return;
      if (!ok) {
        if (!done) dropped += count;
        const rest = events.slice(done);
        if (!stored) persistent() ? db()((old) => cap(old.concat(rest))).catch(quiet) : (waiting = cap(rest.concat(waiting)));
        return;
      }
      done += part.events.length;
      if (stored && persistent()) {
        const ids = new Set(part.events.map((e) => e.id));
        await db()((old) => old.filter((e) => !ids.has(e.id)));
      }
    }
  };

  const flush = safe((leaving?: boolean) => {
    clearTimeout(timer);
    timer = undefined;
    const events = waiting;
    waiting = [];
    if (events.length) post(events, false, leaving).catch(quiet);
    // Reading IndexedDB is asynchronous: pointless when the page is going.
    if (!leaving && !draining && persistent() && navigator.onLine) {
      draining = db()()
        .then((events) => {
          if (events?.length && persistent()) return post(events, true);
        })
        .catch(quiet)
        .then(() => (draining = 0));
    }
  });

  return {
    add(event) {
      waiting = cap(waiting.concat(event));
      if (waiting.length >= BATCH_SIZE) flush();
      else timer ||= setTimeout(() => flush(), BATCH_WAIT);
    },
    flush,
    clear() {
      epoch++;
      store = undefined;
      waiting = [];
      dropped = 0;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

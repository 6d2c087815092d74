/**
 * The offline queue in IndexedDB, through idb-keyval: one array under one
 * key, changed with `update` (a read-modify-write inside one transaction,
 * so tabs cannot overwrite each other). The database opens on first use,
 * which the queue allows only at full level (after consent).
 *
 * On `versionchange` (a revoke calls deleteDatabase) the connection closes
 * so the delete is not blocked, and `closed` tells the owner to make a new
 * store next time.
 */
import { createStore as idbStore, get, update, type UseStore } from 'idb-keyval';
import type { WireEvent } from '../protocol/events';
import { DB_NAME } from './wipe';

const KEY = 'events';

export interface Store {
  all(): Promise<WireEvent[] | undefined>;
  /** Appends; `cap` bounds the result (it drops and counts the oldest). */
  add(events: WireEvent[], cap: (all: WireEvent[]) => WireEvent[]): Promise<void>;
  remove(events: WireEvent[]): Promise<void>;
}

export function createStore(closed: () => void): Store {
  const base = idbStore(DB_NAME, 'queue');
  const use: UseStore = (mode, fn) =>
    base(mode, (s) => {
      const db = s.transaction.db;
      db.onversionchange = () => {
        db.close();
        closed();
      };
      return fn(s);
    });
  return {
    all: () => get(KEY, use),
    add: (events, cap) => update<WireEvent[]>(KEY, (old) => cap((old || []).concat(events)), use),
    remove: (events) => {
      const ids = new Set(events.map((e) => e.id));
      return update<WireEvent[]>(KEY, (old) => (old || []).filter((e) => !ids.has(e.id)), use);
    },
  };
}

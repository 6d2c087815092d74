/**
 * The offline queue in IndexedDB, through idb-keyval's store (opening,
 * upgrade, one cached connection): one array under one key. A change is a
 * read-modify-write inside one transaction, so tabs cannot overwrite each
 * other; it is written here, not with idb-keyval's `update`, whose default
 * store would ship too. The database opens on first use, which the queue
 * allows only at full level (after consent).
 *
 * On `versionchange` (a revoke calls deleteDatabase) the connection closes
 * so the delete is not blocked, and `closed` tells the owner to make a new
 * store next time.
 */
import { createStore as idbStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { WireEvent } from '../protocol/events';
import { safe } from './safe';
import { DB_NAME } from './wipe';

const KEY = 'events';

/**
 * Without `change`, reads the stored events; with it, replaces them by
 * `change(stored)` (`[]` when nothing is stored) and resolves once written.
 */
export type Store = (change?: (stored: WireEvent[]) => WireEvent[]) => Promise<WireEvent[] | undefined>;

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
  return (change) =>
    use(change ? 'readwrite' : 'readonly', (s) => {
      const read = s.get(KEY);
      if (!change) return promisifyRequest<WireEvent[] | undefined>(read);
      read.onsuccess = safe(() => s.put(change(read.result || []), KEY));
      return promisifyRequest(s.transaction) as Promise<undefined>;
    });
}

/**
 * Revoke's clean-up: deletes the visitor id and the offline queue. Part of
 * s.js, so a revoke works even on a page where the tracker never loaded.
 * It creates nothing where nothing exists (removeItem and deleteDatabase of
 * missing entries are no-ops).
 */

/** localStorage key of the visitor id (identity.ts). */
export const VID_KEY = 'lodestone_vid';
/** IndexedDB database of the offline queue (store.ts). */
export const DB_NAME = 'lodestone';

export function wipe(): void {
  try {
    localStorage.removeItem(VID_KEY);
    // Open connections close on versionchange (store.ts), so this is not blocked.
    indexedDB.deleteDatabase(DB_NAME);
  } catch {
    /* storage blocked: nothing stored */
  }
}

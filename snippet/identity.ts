/**
 * The visitor id. It exists only at full level (analytics consent), lives in
 * localStorage (no cookie), and is deleted on revoke together with the
 * offline queue, so the next consent starts a new, unlinked visitor.
 *
 * Creating it is the tracker's job (t.js); deleting it is wipe.ts (s.js),
 * which must work on pages where the tracker never loaded.
 */
import { CLIENT_ID_FULL_PATTERN } from '../protocol/events';
import { newId } from './id';
import { VID_KEY } from './wipe';

let vid: string | undefined;

/** Reads or creates the id. Call only at full level. */
export function visitorId(): string {
  if (!vid) {
    try {
      vid = localStorage.getItem(VID_KEY) || '';
    } catch {
      vid = ''; // storage blocked: the id lives for this page only
    }
    if (!CLIENT_ID_FULL_PATTERN.test(vid)) {
      vid = newId();
      try {
        localStorage.setItem(VID_KEY, vid);
      } catch {
        /* as above */
      }
    }
  }
  return vid;
}

/** Forgets the cached id (after a revoke, wipe() deleted the stored one). */
export const forgetVisitor = (): void => {
  vid = undefined;
};

import { fromBase64Url, toBase64Url } from './crypto';

/**
 * Opaque keyset cursors for lead lists. A cursor carries the sort, the
 * snapshot time (scores are compared as they were at the first page, so
 * decay between pages cannot reorder them), the last row's sort value and
 * id, and a fingerprint of the filters (a cursor only continues the query it
 * came from). Pure: no I/O.
 */

export interface Cursor {
  sort: 'score' | 'updated';
  /** Snapshot time of the first page (epoch ms). */
  at: number;
  /** Sort value of the last row served (score, or updated_at). */
  value: number;
  /** Id of the last row served: the tie-breaker. */
  id: string;
  /** Fingerprint of the filters. */
  filters: string;
  /** Score sort: the last row's stored fit and e_norm, so ties continue exactly. */
  fit?: number;
  e?: number;
}

const b64url = (s: string) => toBase64Url(new TextEncoder().encode(s));
const unb64url = (s: string) => {
  const bytes = fromBase64Url(s);
  if (!bytes) throw new Error('not base64url');
  return new TextDecoder().decode(bytes);
};

export function encodeCursor(c: Cursor): string {
  return b64url(JSON.stringify([c.sort === 'score' ? 's' : 'u', c.at, c.value, c.id, c.filters, c.fit ?? null, c.e ?? null]));
}

/**
 * How old a cursor's snapshot may be. Scores are computed at the snapshot
 * time, and decay can only represent times within some years of its
 * reference time: a crafted cursor with a time far away must be refused,
 * not reach the arithmetic.
 */
export const CURSOR_MAX_AGE_MS = 400 * 86_400_000;
/** Clock skew allowed between the page that made a cursor and the next request. */
const CURSOR_SKEW_MS = 5 * 60_000;

/** The cursor, or null when it is not one of ours or its snapshot time is out of range (the caller answers 400). */
export function decodeCursor(text: string, now = Date.now()): Cursor | null {
  try {
    const [sort, at, value, id, filters, fit, e] = JSON.parse(unb64url(text)) as unknown[];
    if ((sort !== 's' && sort !== 'u') || !Number.isSafeInteger(at) || !Number.isFinite(value)) return null;
    if ((at as number) > now + CURSOR_SKEW_MS || (at as number) < now - CURSOR_MAX_AGE_MS) return null;
    if (typeof id !== 'string' || id.length > 64 || typeof filters !== 'string') return null;
    const c: Cursor = { sort: sort === 's' ? 'score' : 'updated', at: at as number, value: value as number, id, filters };
    if (Number.isFinite(fit) && Number.isFinite(e)) Object.assign(c, { fit, e });
    return c;
  } catch {
    return null;
  }
}

/** A stable fingerprint of a filter object (key order does not matter). */
export function filterFingerprint(filters: Record<string, unknown>): string {
  const keys = Object.keys(filters).filter((k) => filters[k] !== undefined).sort();
  const text = JSON.stringify(keys.map((k) => [k, filters[k]]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

import type { Problem } from '../protocol/problem';

/**
 * The one place the dashboard touches the network. Every call goes to this
 * origin with the session cookie (never a key: the browser does not keep
 * one). A 401 means the session ended: listeners show the sign-in again
 * over the current view, so nothing typed there is lost.
 */

/** A refused call, with the API's own problem answer (its field errors feed the forms). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | undefined) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
  }
}

type Listener = () => void;
const expiredListeners = new Set<Listener>();

/** Called whenever a call answers 401 (session over); returns the unsubscribe function. */
export function onSessionExpired(fn: Listener): () => void {
  expiredListeners.add(fn);
  return () => expiredListeners.delete(fn);
}

const early = new Map<string, { answer: Promise<Response | null>; at: number }>();
/** An early answer older than this is not taken: the view asks afresh. */
const EARLY_FOR_MS = 10_000;

/**
 * Sends a GET before the view that needs it has loaded (the entry does, at
 * boot, for the opened view): the view's own api() call with the same path
 * then takes that answer instead of asking again. Only a successful answer
 * is taken, once, and only soon after; otherwise the view asks itself, so
 * an early 401 (not signed in yet) neither ends a session nor leaves an error.
 */
export function prefetch(path: string): void {
  if (early.has(path)) return;
  const answer = fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => null);
  early.set(path, { answer, at: Date.now() });
}

/** GET (or any method) with an optional JSON body; resolves to the JSON answer. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const pre = (init.method ?? 'GET') === 'GET' ? early.get(path) : undefined;
  if (pre) {
    early.delete(path);
    const res = Date.now() - pre.at < EARLY_FOR_MS ? await pre.answer : null;
    if (res?.ok) return (await res.json()) as T;
  }
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (res.ok) return (await res.json()) as T;
  const problem = (await res.json().catch(() => undefined)) as Problem | undefined;
  if (res.status === 401 && !path.startsWith('/app/session')) expiredListeners.forEach((fn) => fn());
  throw new ApiError(res.status, problem);
}

/** A query string from the set values of an object (empty strings and nulls are left out). */
export function query(params: Record<string, string | number | boolean | null | undefined | readonly string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '' || v === false) continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Who is signed in: the site and the key's scopes, which decide what the views offer. */
export interface SessionInfo {
  site: { id: string; name: string };
  key: { name: string; scopes: string[] };
  expiresAt: string;
  idleTimeoutSeconds: number;
}

export const getSession = () => api<SessionInfo>('/app/session');
export const signIn = (key: string) => api<SessionInfo>('/app/session', { method: 'POST', body: { key } });
export const signOut = () => api<{ signedOut: true }>('/app/session', { method: 'DELETE' });

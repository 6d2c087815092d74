import { UTM_KEYS, type Utm } from '../../protocol';
import type { ValidEvent } from './schemas/events';

/** How far back a client time may lie (offline queues replay late). */
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** A validated event, normalised for storage. Pure: no I/O. */
export interface EventRow {
  siteId: string;
  eventId: string;
  kind: string;
  name: string | null;
  visitorId: string | null;
  url: string;
  path: string;
  referrer: string | null;
  utm: string | null;
  target: string | null;
  magnetId: string | null;
  engagedMs: number | null;
  props: string | null;
  ts: number;
  clientTs: number;
  receivedAt: number;
  country: string | null;
}

/**
 * Event time as stored: the client's clock, clamped into
 * [receivedAt - MAX_EVENT_AGE_MS, receivedAt]. Clients cannot create events in
 * the future, nor rewrite history older than the replay window.
 */
export function clampEventTime(clientTs: number, receivedAt: number): number {
  return Math.min(receivedAt, Math.max(receivedAt - MAX_EVENT_AGE_MS, clientTs));
}

/** A hash route ("#/…" or "#!/…") without its own query string; any other fragment is dropped. */
const hashRouteOf = (hash: string) => (/^#!?\//.test(hash) ? hash.replace(/\?.*$/s, '') : '');

/**
 * URL as stored: no query string (it can carry personal data such as e-mail
 * addresses), no fragment unless it is a hash route ("#/…" or "#!/…"), and
 * then without the hash route's own query ("#/x?email=…").
 */
export function cleanUrl(raw: string): { url: string; path: string } {
  const u = new URL(raw);
  const path = u.pathname + hashRouteOf(u.hash);
  return { url: u.origin + path, path };
}

/**
 * A link target (download or outbound) as stored, stripped like page URLs.
 * Download targets may be relative ("/files/a.pdf?token=…"), so a string that
 * is not an absolute URL loses everything from its first "?" and any fragment
 * that is not a hash route.
 */
export function cleanTarget(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return cleanUrl(raw).url;
  } catch {
    // relative: handled below
  }
  const hashAt = raw.indexOf('#');
  const before = hashAt < 0 ? raw : raw.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : raw.slice(hashAt);
  const q = before.indexOf('?');
  return q >= 0 ? before.slice(0, q) : before + hashRouteOf(hash);
}

/** UTM parameters from the event, or else from the page URL's query. */
export function extractUtm(event: { url: string; utm?: Utm }): Utm | null {
  const out: Utm = { ...event.utm };
  const query = new URL(event.url).searchParams;
  for (const key of UTM_KEYS) {
    const value = query.get(`utm_${key}`);
    if (!out[key] && value) out[key] = value.slice(0, 256);
  }
  return Object.keys(out).length ? out : null;
}

export function toEventRow(
  event: ValidEvent,
  ctx: { siteId: string; receivedAt: number; country: string | null },
): EventRow {
  const { url, path } = cleanUrl(event.url);
  const utm = extractUtm(event);
  return {
    siteId: ctx.siteId,
    eventId: event.id,
    kind: event.kind,
    name: event.kind === 'custom' ? event.name : null,
    visitorId: event.vid ?? null,
    url,
    path,
    referrer: event.ref ? cleanUrl(event.ref).url : null,
    utm: utm ? JSON.stringify(utm) : null,
    target: event.kind === 'download' || event.kind === 'outbound' ? cleanTarget(event.target) : null,
    magnetId: event.kind === 'form_view' || event.kind === 'form_submit' ? event.magnet : null,
    engagedMs: event.kind === 'engagement' ? event.ms : null,
    props: event.props && Object.keys(event.props).length ? JSON.stringify(event.props) : null,
    ts: clampEventTime(event.ts, ctx.receivedAt),
    clientTs: event.ts,
    receivedAt: ctx.receivedAt,
    country: ctx.country && /^[A-Z]{2}$/.test(ctx.country) ? ctx.country : null,
  };
}

/**
 * Event fields from untrusted input, and request bodies. Pure. The edge
 * refuses a whole batch when one event breaks a limit, so everything the
 * page passes in is trimmed to the protocol's limits here.
 */
import { LIMITS, type Props, type WireEvent } from '../protocol/events';

/** Text cut to `max`; undefined when empty. */
export const text = (value: unknown, max: number): string | undefined => (value == null ? '' : String(value)).slice(0, max) || undefined;

/** Flat props: string (cut), finite number or boolean values; at most propsMaxKeys keys. */
export function cleanProps(input: unknown): Props | undefined {
  if (!input || typeof input != 'object') return;
  const out: Props = {};
  let n = 0;
  for (const k of Object.keys(input)) {
    let v = (input as Record<string, unknown>)[k];
    if (typeof v == 'string') v = v.slice(0, LIMITS.propValueMaxLength);
    if (n < LIMITS.propsMaxKeys && k && k.length <= LIMITS.propKeyMaxLength && (typeof v == 'string' || typeof v == 'boolean' || Number.isFinite(v))) {
      out[k] = v as Props[string];
      n++;
    }
  }
  return n ? out : undefined;
}

/** Characters per request body: at most 3 bytes each in UTF-8, so under the 64 KiB beacon quota. */
export const BODY_CHARS = 20_000;

/**
 * Splits events into POST bodies: at most LIMITS.batchEvents events and
 * about BODY_CHARS characters each. The body is joined by hand, one
 * JSON.stringify per event, so a host page's Array.prototype.toJSON (old
 * Prototype.js) cannot change the array. `dropped` rides on the first body.
 */
export function pack(site: string, events: WireEvent[], dropped: number): { body: string; events: WireEvent[] }[] {
  const out: { body: string; events: WireEvent[] }[] = [];
  let part: WireEvent[] = [];
  let json = '';
  const close = () => {
    out[out.length] = { body: `{"site":${JSON.stringify(site)},"events":[${json}]${dropped && !out.length ? `,"dropped":${dropped}` : ''}}`, events: part };
    part = [];
    json = '';
  };
  for (const e of events) {
    const one = JSON.stringify(e);
    if (part.length && (part.length >= LIMITS.batchEvents || json.length + one.length >= BODY_CHARS)) close();
    json += (json && ',') + one;
    part[part.length] = e;
  }
  if (json) close();
  return out;
}

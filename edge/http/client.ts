import type { Context } from 'hono';
import type { Evidence } from '../db/leads';
import { hashIp } from '../lib/signing';

/** Facts about the requesting client, reduced to what the ledger may keep. */

const UA_MAX = 512;

/** The client address from Cloudflare's header; used for hashing and rate keys only. */
export function clientIp(c: Context): string | null {
  return c.req.header('cf-connecting-ip') ?? null;
}

export function country(c: Context): string | null {
  const value = (c.req.raw as Request & { cf?: { country?: unknown } }).cf?.country;
  return typeof value === 'string' && /^[A-Z]{2}$/.test(value) ? value : null;
}

/** User agent, bounded and without control characters. */
export function userAgent(c: Context): string | null {
  // eslint-disable-next-line no-control-regex
  const ua = (c.req.header('user-agent') ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return ua ? ua.slice(0, UA_MAX) : null;
}

/** Ledger evidence: keyed IP hash (never the IP), user agent, country. */
export async function evidence(c: Context, secret: string): Promise<Evidence> {
  const ip = clientIp(c);
  return { ipHash: ip ? await hashIp(secret, ip) : null, userAgent: userAgent(c), country: country(c) };
}

/** Origin for links in mails: PUBLIC_URL when set, else the origin the request came to. */
export function linkBase(c: Context, publicUrl: string | undefined): string {
  if (publicUrl) {
    try {
      return new URL(publicUrl).origin;
    } catch {
      /* fall through to the request origin */
    }
  }
  return new URL(c.req.url).origin;
}

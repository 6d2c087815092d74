import type { Context } from 'hono';
import type { Evidence } from '../core/evidence';
import type { Env } from './env';
import { hashIp } from '../core/signing';
import { notConfigured } from '../http/problem';

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

/**
 * Why PUBLIC_URL cannot be used for links in mails, or null when it can. It
 * must be set: the request's Host header is chosen by the client, so a link
 * built from it could carry a live token to any host. Plain http only in
 * local development (LODESTONE_ENV=development).
 */
export function publicUrlProblem(env: Pick<Env, 'PUBLIC_URL' | 'LODESTONE_ENV'>): string | null {
  const raw = (env.PUBLIC_URL ?? '').trim();
  if (!raw) return 'PUBLIC_URL is not set; set it to the origin visitors reach this Worker at, e.g. https://leads.example.com.';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `PUBLIC_URL "${raw}" is not a URL; set it to an origin such as https://leads.example.com.`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isDevelopment(env)) return null;
  return `PUBLIC_URL "${raw}" must be an https URL (plain http only with LODESTONE_ENV=development).`;
}

export const isDevelopment = (env: Pick<Env, 'LODESTONE_ENV'>) => env.LODESTONE_ENV === 'development';

/** linkBase, or '' when PUBLIC_URL is unusable: for mails queued now whose sender fills the origin in later. */
export function mailLinkBase(env: Pick<Env, 'PUBLIC_URL' | 'LODESTONE_ENV'>): string {
  return publicUrlProblem(env) ? '' : new URL(env.PUBLIC_URL!.trim()).origin;
}

/** Origin for links in mails: PUBLIC_URL, never the request's Host; a 503 problem when it is unusable. */
export function linkBase(env: Pick<Env, 'PUBLIC_URL' | 'LODESTONE_ENV'>): string {
  const problem = publicUrlProblem(env);
  if (problem) throw notConfigured(`Lead capture cannot build mail links: ${problem}`);
  return new URL(env.PUBLIC_URL!.trim()).origin;
}

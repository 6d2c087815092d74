import type { Env } from '../../platform/env';
import { notConfigured } from '../../http/problem';
import { DEFAULT_DOWNLOAD_TTL_HOURS, DEFAULT_TOKEN_TTL_HOURS, hoursFrom } from '../../core/optin-token';
import { MIN_SECRET_LENGTH } from '../../core/signing';
import { linkBase, publicUrlProblem } from '../../platform/request';
import { mailerFromEnv, senderCheck, transportCheck, type MailCheck } from './select';
import { MailError, type Mailer } from '../../core/mail/types';

/**
 * Lead-capture settings from the environment. Checked before anything is
 * stored: a Worker that cannot sign links or send mail answers 503 instead
 * of collecting addresses it can never confirm.
 */

export function signingKey(env: Env): string {
  const key = env.SIGNING_KEY ?? '';
  if (key.length < MIN_SECRET_LENGTH) {
    throw notConfigured(`Lead capture is disabled: set the SIGNING_KEY secret (at least ${MIN_SECRET_LENGTH} characters).`);
  }
  return key;
}

export const tokenTtlMs = (env: Env) => hoursFrom(env.OPTIN_TOKEN_TTL_HOURS, DEFAULT_TOKEN_TTL_HOURS) * 3_600_000;
export const downloadTtlMs = (env: Env) => hoursFrom(env.DOWNLOAD_LINK_TTL_HOURS, DEFAULT_DOWNLOAD_TTL_HOURS) * 3_600_000;

export interface MailSettings {
  mailer: Mailer;
  from: string;
  secret: string;
  tokenTtlMs: number;
}

export function mailSettings(env: Env): MailSettings {
  const secret = signingKey(env);
  const selected = mailerFromEnv(env);
  if ('error' in selected) throw notConfigured(`Lead capture cannot send mail: ${selected.error}`);
  return { mailer: selected.mailer, from: selected.from, secret, tokenTtlMs: tokenTtlMs(env) };
}

/**
 * Settings for retries: when mail cannot be sent (configuration, PUBLIC_URL), the
 * attempts still run and fail with the reason, so each mail records it and
 * keeps its backoff instead of waiting unseen or dying early.
 */
export function retrySettings(env: Env): MailSettings & { unavailable?: string; linkBase?: string } {
  try {
    // Retries link to PUBLIC_URL as it is now, never to an origin a row kept from a request.
    return { ...mailSettings(env), linkBase: linkBase(env) };
  } catch (err) {
    const unavailable = (err as Error).message;
    const mailer: Mailer = { name: 'outbox', send: () => Promise.reject(new MailError(unavailable)) };
    return { mailer, from: '', secret: env.SIGNING_KEY ?? '', tokenTtlMs: tokenTtlMs(env), unavailable };
  }
}

export interface ConfigCheck extends MailCheck {
  name: string;
}

/** The configuration lead capture needs, each checked on its own (no I/O). */
export function configChecks(env: Env): ConfigCheck[] {
  const url = publicUrlProblem(env);
  const key = (env.SIGNING_KEY ?? '').length >= MIN_SECRET_LENGTH;
  return [
    { name: 'public_url', ok: !url, detail: url ?? new URL(env.PUBLIC_URL!.trim()).origin },
    { name: 'mail_from', ...senderCheck(env) },
    { name: 'mail_binding', ...transportCheck(env) },
    { name: 'signing_key', ok: key, detail: key ? 'set' : `SIGNING_KEY is not set or shorter than ${MIN_SECRET_LENGTH} characters.` },
  ];
}

let lastReported = '';
/** Env objects already checked: an isolate reuses one, so requests after the first skip the checks. */
const checked = new WeakSet<Env>();

/**
 * Logs what is misconfigured, once per isolate and configuration (again only
 * when it changes), so an operator sees it in the logs at start-up rather
 * than only as 503s to visitors.
 */
export function reportConfigProblems(env: Env, log: (msg: string) => void = console.error): void {
  if (checked.has(env)) return;
  checked.add(env);
  const failing = configChecks(env).filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join(' ');
  if (failing === lastReported) return;
  lastReported = failing;
  if (failing) log(`Lodestone is misconfigured; lead capture mail cannot work until this is fixed (see GET /admin/health). ${failing}`);
}

/** Bindings and variables of the Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  /** Static assets: /s.js, /w.js and, in local dev, the examples site. */
  ASSETS?: Fetcher;
  /** Per (site, client) ingest limiter; absent bindings mean no limit. */
  RATE_LIMITER?: RateLimit;
  /** "off" disables the ingest rate limit (benchmarks). */
  INGEST_RATE_LIMIT?: string;
  /** "off" skips lead scoring on ingest (benchmarks compare with and without). */
  SCORING?: string;
  /** Secret guarding /admin. Without it the admin API answers 503. */
  ADMIN_TOKEN?: string;

  // Lead capture. See docs/widget.md.
  /** Secret (>= 32 chars) for download/withdraw link signatures and the ledger's IP hash. */
  SIGNING_KEY?: string;
  /** Which Mailer sends: "outbox" (local dev), "cloudflare" (send_email binding) or "http". */
  MAIL_MODE?: string;
  /** Sender, e.g. "Acme <no-reply@acme.example>". */
  MAIL_FROM?: string;
  /** Cloudflare Email Service binding (`[[send_email]]`). */
  EMAIL?: SendEmail;
  /** HTTP mail API endpoint (MAIL_MODE=http). */
  MAIL_API_URL?: string;
  /** Secret for the HTTP mail API. */
  MAIL_API_KEY?: string;
  /** "on" only in local dev: the outbox mailer and the /dev/outbox page. */
  DEV_OUTBOX?: string;
  /**
   * Origin for links in mails (e.g. https://leads.acme.example). Required:
   * without it no mail is sent, because the request's Host header is not
   * trusted to name where a live confirmation link goes.
   */
  PUBLIC_URL?: string;
  /** "development" only in local dev (`npm run dev`, tests): PUBLIC_URL may then be plain http. */
  LODESTONE_ENV?: string;
  /** Hours a confirmation link stays valid (default 168 = 7 days). */
  OPTIN_TOKEN_TTL_HOURS?: string;
  /** Hours a download link stays valid (default 24). */
  DOWNLOAD_LINK_TTL_HOURS?: string;
  /** Cloudflare Turnstile keys; magnets with `turnstile: true` use them. */
  TURNSTILE_SITE_KEY?: string;
  TURNSTILE_SECRET?: string;

  /**
   * Standard Webhooks secret ("whsec_…") of the mail provider's bounce and
   * complaint reports (POST /v1/mail/events; docs/nurture.md). Without it
   * that endpoint answers 503.
   */
  MAIL_EVENTS_SECRET?: string;

  // Webhooks. See docs/webhooks.md.
  /**
   * Which webhook URLs are accepted: "public" (https to public hosts only;
   * the default) or "local" (also http to localhost/127.0.0.1/[::1]; local
   * dev). Unset with DEV_OUTBOX = "on" means "local".
   */
  WEBHOOK_TARGETS?: string;
}

/** Hono environment type for every route. */
export interface AppEnv {
  Bindings: Env;
}

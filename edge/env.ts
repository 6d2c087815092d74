/** Bindings and variables of the Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  /** Static assets: /s.js, /w.js and, in local dev, the examples site. */
  ASSETS?: Fetcher;
  /** Per (site, client) ingest limiter; absent bindings mean no limit. */
  RATE_LIMITER?: RateLimit;
  /** "off" disables the ingest rate limit (benchmarks). */
  INGEST_RATE_LIMIT?: string;
  /** Secret guarding /admin. Without it the admin API answers 503. */
  ADMIN_TOKEN?: string;
}

/** Hono environment type for every route. */
export interface AppEnv {
  Bindings: Env;
}

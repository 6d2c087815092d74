/**
 * Helpers for the snippet's browser tests: fixture pages on the stack's own
 * origin (served by request interception, so the real s.js/t.js and the
 * real /v1/collect are used), the network log, storage and D1 rows.
 */
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { inject } from 'vitest';
import type { WireEvent } from '../../protocol/events';
import { BATCH_WAIT } from '../../snippet/queue';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

export { BATCH_WAIT };

export const stack = () => inject('stack');

/** A path prefix of its own for each test: rows are found by path. */
export const uniquePrefix = () => `/t/${Math.random().toString(36).slice(2, 10)}`;

/** The snippet tag as site owners paste it, with extra attributes. */
export const tag = (attrs = '') => `<script defer src="/s.js" data-site="demo" ${attrs}></script>`;

/** The loader stub from docs/snippet.md (inline: needs a CSP that allows it). */
export const STUB = '<script>window.lodestone=window.lodestone||function(){(lodestone.q=lodestone.q||[]).push(arguments)}</script>';

export const page = (head: string, body = '') => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

/**
 * Serves `html` at every URL under `prefix` on the stack origin (so SPA
 * routes and reloads get the same document). `headers` e.g. a CSP.
 */
export async function serve(ctx: BrowserContext, prefix: string, html: string, headers: Record<string, string> = {}) {
  await ctx.route(`${stack().url}${prefix}**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html, headers }),
  );
}

/** Every request of a context, in order. */
export function networkLog(ctx: BrowserContext) {
  const requests: Request[] = [];
  ctx.on('request', (r) => {
    if (/^https?:/.test(r.url())) requests.push(r);
  });
  const collects = () => requests.filter((r) => new URL(r.url()).pathname == '/v1/collect');
  return {
    requests,
    paths: () => requests.map((r) => new URL(r.url()).pathname),
    collects,
    /** Events in the bodies of POST /v1/collect so far (as the browser sent them). */
    events: (): WireEvent[] => collects().flatMap((r) => JSON.parse(r.postData() ?? '{"events":[]}').events as WireEvent[]),
    bodies: () => collects().map((r) => JSON.parse(r.postData() ?? '{}') as { site: string; events: WireEvent[]; dropped?: number }),
  };
}

/** Everything a page could have stored: cookies, web storage, IndexedDB databases. */
export async function storage(p: Page) {
  const inPage = await p.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).map((d) => d.name),
    documentCookie: document.cookie,
  }));
  return { cookies: (await p.context().cookies()).map((c) => c.name), ...inPage };
}

export const NOTHING_STORED = { cookies: [], localStorage: [], sessionStorage: [], indexedDB: [], documentCookie: '' };

export interface Row {
  event_id: string;
  kind: string;
  name: string | null;
  visitor_id: string | null;
  url: string;
  path: string;
  referrer: string | null;
  utm: string | null;
  target: string | null;
  magnet_id: string | null;
  engaged_ms: number | null;
  props: string | null;
  ts: number;
  received_at: number;
}

/** Only rows received since this file started (the stack is shared by all e2e files). */
const SINCE = Date.now() - 5_000;

/** Within one millisecond, the order the tracker emits in: a route change sends engagement, pageview, pricing_view. */
const rank = (e: { kind: string }) => ['engagement', 'pageview', 'pricing_view'].indexOf(e.kind) >>> 0;

/** Rows of the demo site whose path starts with `prefix`, oldest first (by client time). */
export async function rows(prefix: string): Promise<Row[]> {
  const { url, adminToken } = stack();
  const res = await fetch(`${url}/admin/sites/demo/events?limit=500&since=${SINCE}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!res.ok) throw new Error(`admin events: ${res.status}`);
  const { events } = (await res.json()) as { events: Row[] };
  return events.filter((e) => e.path.startsWith(prefix)).sort((a, b) => a.ts - b.ts || rank(a) - rank(b) || a.received_at - b.received_at);
}

/**
 * Waits until `done(rows)` holds (polling D1), then waits `settle` ms more
 * (longer than the snippet's batch interval) and returns the rows again, so
 * late extra rows are seen too.
 *
 * With `clock` (a context whose clock was installed with `useFakeTime`), page
 * time is moved on instead of waiting for it: first by the batch interval
 * (what waits in the snippet's batch leaves now), and for the settle by
 * `settle` ms, after which the requests that set off are waited for. The
 * snippet sees the same time pass; the test does not sit through it.
 */
export async function rowsWhen(
  prefix: string,
  done: (r: Row[]) => boolean,
  { timeout = 15_000, settle = 2_500, clock }: { timeout?: number; settle?: number; clock?: BrowserContext } = {},
): Promise<Row[]> {
  const deadline = Date.now() + timeout;
  if (clock) await elapse(clock, BATCH_WAIT);
  let r = await rows(prefix);
  while (!done(r) && Date.now() < deadline) {
    await sleep(250);
    r = await rows(prefix);
  }
  if (settle) {
    if (clock) await elapse(clock, settle);
    else await sleep(settle);
    r = await rows(prefix);
  }
  return r;
}

/** Requests to /v1/collect of a context that have not finished yet (see useFakeTime). */
const inFlight = new WeakMap<BrowserContext, Set<Request>>();

/**
 * Installs Playwright's fake clock in every page of `ctx` (before any page is
 * opened). Time still flows at its real pace; `elapse` moves it on at once.
 * Not for host pages that break Array or JSON: the clock runs in the page.
 */
export async function useFakeTime(ctx: BrowserContext) {
  const open = new Set<Request>();
  inFlight.set(ctx, open);
  ctx.on('request', (r) => /^https?:/.test(r.url()) && new URL(r.url()).pathname == '/v1/collect' && open.add(r));
  ctx.on('requestfinished', (r) => open.delete(r));
  ctx.on('requestfailed', (r) => open.delete(r));
  await ctx.clock.install();
}

/**
 * Moves page time on by `ms` (firing every timer due in between, e.g. the
 * batch interval), lets what that sent reach the browser's network log
 * (`grace` ms of real time), and waits until those sends have finished.
 */
export async function elapse(ctx: BrowserContext, ms: number, grace = 250) {
  await ctx.clock.runFor(ms);
  await sleep(grace);
  const open = inFlight.get(ctx);
  const deadline = Date.now() + 10_000;
  while (open?.size && Date.now() < deadline) await sleep(50);
}

/** Polls `cond` until it holds or `timeout` passes (no assertion: the caller asserts after). */
export async function until(cond: () => boolean | Promise<boolean>, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!(await cond()) && Date.now() < deadline) await sleep(50);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const kinds = (r: { kind: string }[]) => r.map((e) => e.kind);

/**
 * Chromium with the project's flags, but with the back/forward cache on:
 * Playwright adds --disable-back-forward-cache by default, which would make
 * a bfcache restore impossible to test.
 */
export function launchWithBfcache(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
}

/** Collects uncaught page errors and unhandled rejections of a page. */
export function pageErrors(p: Page) {
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Simulates the page being hidden and shown again. Headless Chromium keeps
 * every tab visible, so the document's visibilityState is overridden and
 * the event dispatched, exactly as the browser would.
 */
export async function setHidden(p: Page, hidden: boolean) {
  await p.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

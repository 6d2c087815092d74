/**
 * Delivery and robustness in real Chromium against the local stack:
 * batching, offline → online and the next load with nothing lost or
 * duplicated (rows counted in D1), server errors, the bounded queue, the
 * script loaded twice, the ES module build, hostile host pages and CSP, and
 * the widget loader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/stack.mjs';
import { launchBrowser } from './browser';
import {
  elapse, NOTHING_STORED, networkLog, page, pageErrors, rows, rowsWhen, serve, sleep, stack, storage, tag, uniquePrefix, until, useFakeTime, type Row,
} from './snippet-helpers';

let browser: Browser;
let ctx: BrowserContext;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  ctx = await browser.newContext();
});
afterEach(async () => {
  await ctx?.close();
});

const track = (p: Page, names: string[]) => p.evaluate((n) => n.forEach((name) => window.lodestone!('track', name)), names);
const names = (prefix: string, count: number, from = 1) => Array.from({ length: count }, (_, i) => `${prefix.slice(3)}-${from + i}`);
/** Custom event names by their number (events of one call share a millisecond, so D1 order is not theirs). */
const customNames = (r: Row[]) =>
  r
    .filter((e) => e.kind == 'custom')
    .map((e) => e.name!)
    .sort((a, b) => Number(a.split('-').at(-1)) - Number(b.split('-').at(-1)) || a.localeCompare(b));
/** The offline queue as stored in IndexedDB (read with the raw API, not the snippet's code). */
const storedQueue = (p: Page) =>
  p.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const req = indexedDB.open('lodestone');
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('queue')) {
            db.close();
            return resolve([]);
          }
          const get = db.transaction('queue').objectStore('queue').get('events');
          get.onsuccess = () => {
            db.close();
            resolve(((get.result as { name?: string; kind: string }[] | undefined) ?? []).map((e) => e.name ?? e.kind));
          };
        };
      }),
  );

describe('delivery', () => {
  it('batches: ten events leave in one request; a single one after the interval', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/batch`);
    await rowsWhen(prefix, (x) => x.length >= 1, { settle: 0, clock: ctx });
    const before = net.collects().length;
    await track(p, names(prefix, 10));
    await sleep(300);
    expect(net.collects().length).toBe(before + 1);
    expect(net.bodies().at(-1)!.events.map((e) => e.name)).toEqual(names(prefix, 10));
    await track(p, names(prefix, 1, 11));
    await elapse(ctx, 500);
    expect(net.collects().length).toBe(before + 1);
    await elapse(ctx, 2_000);
    expect(net.collects().length).toBe(before + 2);
    // text/plain: no CORS preflight.
    expect(net.requests.filter((r) => r.method() == 'OPTIONS')).toHaveLength(0);
    expect(net.collects().every((r) => r.headers()['content-type']?.startsWith('text/plain'))).toBe(true);
    expect(customNames(await rowsWhen(prefix, (x) => x.length >= 12, { clock: ctx }))).toEqual(names(prefix, 11));
  });

  it('offline → online: kept in IndexedDB while offline, sent on "online", nothing lost, nothing twice', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/offline`);
    await rowsWhen(prefix, (x) => x.length >= 1, { settle: 0, clock: ctx });
    const sent = net.collects().length;

    await ctx.setOffline(true);
    await track(p, names(prefix, 15));
    await p.evaluate((pre) => history.pushState({}, '', pre + '/offline-2'), prefix);
    await elapse(ctx, 3_000);
    await until(async () => {
      const q = await storedQueue(p);
      return q.includes('pageview') && q.filter((n) => n != 'engagement' && n != 'pageview').length >= 15;
    });
    expect(net.collects().length).toBe(sent); // nothing even attempted
    const stored = await storedQueue(p);
    expect(stored.filter((n) => n != 'engagement' && n != 'pageview').sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]))).toEqual(names(prefix, 15));
    expect(stored).toContain('pageview');

    await ctx.setOffline(false);
    const r = await rowsWhen(prefix, (x) => customNames(x).length >= 15, { clock: ctx });
    expect(customNames(r)).toEqual(names(prefix, 15));
    expect(r.filter((e) => e.kind == 'pageview').map((e) => e.path)).toEqual([`${prefix}/offline`, `${prefix}/offline-2`]);
    expect(new Set(r.map((e) => e.event_id)).size).toBe(r.length);
    await p.waitForFunction(async () => true);
    expect(await storedQueue(p)).toEqual([]);
  });

  it('offline, then the tab closes: the next load sends what was kept, once', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/first`);
    await rowsWhen(prefix, (x) => x.length >= 1, { settle: 0, clock: ctx });
    await ctx.setOffline(true);
    await track(p, names(prefix, 7));
    await elapse(ctx, 2_800); // the interval flush keeps them in IndexedDB
    await until(async () => (await storedQueue(p)).length >= 7);
    expect(await storedQueue(p)).toEqual(names(prefix, 7));
    await p.close();
    await ctx.setOffline(false);

    const p2 = await ctx.newPage();
    await p2.goto(`${stack().url}${prefix}/second`);
    const r = await rowsWhen(prefix, (x) => customNames(x).length >= 7, { clock: ctx });
    expect(customNames(r)).toEqual(names(prefix, 7));
    expect(r.filter((e) => e.kind == 'pageview').map((e) => e.path)).toEqual([`${prefix}/first`, `${prefix}/second`]);
    expect(new Set(r.map((e) => e.event_id)).size).toBe(r.length);
  });

  it('a failed send (server error) is kept and sent again with the next flush', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    let failures = 0;
    await ctx.route(`${stack().url}/v1/collect`, async (route) => {
      const body = route.request().postData() ?? '';
      if (body.includes('"fail-me"') && failures++ == 0) {
        return route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"title":"Service Unavailable"}', headers: { 'access-control-allow-origin': '*' } });
      }
      return route.continue();
    });
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/flaky`);
    await rowsWhen(prefix, (x) => x.length >= 1, { settle: 0, clock: ctx });
    await track(p, ['fail-me']);
    await elapse(ctx, 2_800);
    await until(async () => (await storedQueue(p)).length >= 1);
    expect(failures).toBe(1);
    expect(customNames(await rows(prefix))).toEqual([]);
    expect(await storedQueue(p)).toEqual(['fail-me']);
    await track(p, ['next']);
    const r = await rowsWhen(prefix, (x) => customNames(x).length >= 2, { clock: ctx });
    expect(customNames(r)).toEqual(['fail-me', 'next']);
  });

  it('the queue is bounded: the oldest events are dropped, counted and reported', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/bounded`);
    await rowsWhen(prefix, (x) => x.length >= 1, { settle: 0, clock: ctx });
    await ctx.setOffline(true);
    await track(p, names(prefix, 530));
    await elapse(ctx, 2_800);
    await until(async () => (await storedQueue(p))[0] == names(prefix, 1, 31)[0]);
    const stored = await storedQueue(p);
    expect(stored).toHaveLength(500);
    expect(stored[0]).toBe(names(prefix, 1, 31)[0]);
    await ctx.setOffline(false);
    const r = await rowsWhen(prefix, (x) => customNames(x).length >= 500, { timeout: 30_000, clock: ctx });
    expect(customNames(r)).toEqual(names(prefix, 500, 31));
    expect(net.bodies().reduce((n, b) => n + (b.dropped ?? 0), 0)).toBe(30);
  });
});

describe('robustness', () => {
  it('loaded twice (two tags, and the ES module next to the tag): one instance, one page view, one t.js', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    const mjs = readFileSync(join(ROOT, 'dist', 'snippet.mjs'), 'utf8');
    await ctx.route(`${stack().url}/__esm/snippet.mjs`, (route) => route.fulfill({ contentType: 'text/javascript', body: mjs }));
    const esm = `<script type="module">import { init } from '/__esm/snippet.mjs'; window.esmReturn = init({ site: 'demo', base: location.origin + '/', consent: 'analytics' });</script>`;
    await serve(ctx, prefix, page(tag('data-consent="analytics"') + tag('data-consent="analytics" data-mode="anonymous"') + esm));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/twice`);
    await p.waitForFunction(() => (window as unknown as { esmReturn?: unknown }).esmReturn);
    await p.evaluate(() => window.lodestone!('track', 'once'));
    const r = await rowsWhen(prefix, (x) => x.length >= 2, { clock: ctx });
    expect(r.map((e) => e.kind)).toEqual(['pageview', 'custom']);
    expect(r[0]!.visitor_id).not.toBeNull(); // the first tag won (the second asked for anonymous mode)
    expect(net.paths().filter((x) => x == '/t.js')).toHaveLength(1);
    expect(await p.evaluate(() => (window as unknown as { esmReturn: unknown }).esmReturn === window.lodestone)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('the ES module build alone tracks like the tag (same code)', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    const mjs = readFileSync(join(ROOT, 'dist', 'snippet.mjs'), 'utf8');
    await ctx.route(`${stack().url}/__esm/snippet.mjs`, (route) => route.fulfill({ contentType: 'text/javascript', body: mjs }));
    await serve(
      ctx,
      prefix,
      page(`<script type="module">import { init } from '/__esm/snippet.mjs';
        const lodestone = init({ site: 'demo', base: location.origin + '/' });
        lodestone('consent', { analytics: true }); lodestone('track', 'from-esm', { ok: true });</script>`),
    );
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/esm`);
    const r = await rowsWhen(prefix, (x) => x.length >= 2, { clock: ctx });
    expect(r.map((e) => [e.kind, e.name])).toEqual([['pageview', null], ['custom', 'from-esm']]);
    expect(net.paths()).not.toContain('/t.js');
    expect(net.paths()).not.toContain('/s.js');
  });

  it('a host page with rewritten JSON and Array prototypes (old libraries): still works', async () => {
    const prefix = uniquePrefix();
    const hostile = `<script>
      Array.prototype.toJSON = function () { return 'PROTOTYPE.JS WAS HERE'; };
      Object.defineProperty(Object.prototype, 'polluted', { value: 'yes', enumerable: true, configurable: true, writable: true });
      const origStringify = JSON.stringify;
      JSON.stringify = function (v, r, s) { return origStringify(v, r, s); };
      Array.prototype.map = function (f) { var out = []; for (var i = 0; i < this.length; i++) out[i] = f(this[i], i, this); out.extra = 1; return out; };
      Array.prototype.includes = function () { return true; };
      Array.prototype.last = function () { return this[this.length - 1]; };
    </script>`;
    await serve(ctx, prefix, page(hostile + tag('data-consent="analytics"'), '<a id="out" href="https://partner.example/">x</a><script>document.addEventListener("click",e=>e.preventDefault())</script>'));
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/old-libs`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('track', 'still-works', { a: 1 }));
    await p.click('#out');
    await p.evaluate((pre) => history.pushState({}, '', pre + '/next'), prefix);
    const r = await rowsWhen(prefix, (x) => x.length >= 5);
    expect(r.filter((e) => e.kind != 'engagement').map((e) => [e.kind, e.name ?? e.target ?? e.path.slice(prefix.length)])).toEqual([
      ['pageview', '/old-libs'],
      ['custom', 'still-works'],
      ['outbound', 'https://partner.example/'],
      ['pageview', '/next'],
    ]);
    expect(JSON.parse(r.find((e) => e.kind == 'custom')!.props!)).toEqual({ a: 1 });
    expect(errors).toEqual([]);
  });

  it('a host page that breaks JSON and Array outright: fails silently, the page keeps running', async () => {
    const prefix = uniquePrefix();
    // The page drives itself (Playwright's own main-world helpers need Array
    // methods too) and reports in document.title, read from an isolated world.
    const hostile = `<script>
      JSON.stringify = function () { throw new Error('no JSON here'); };
      ['push', 'concat', 'splice', 'slice', 'filter', 'map', 'forEach', 'join', 'indexOf'].forEach(function (m) {
        Array.prototype[m] = function () { throw new Error('no Array.' + m); };
      });
    </script>`;
    const driver = `<script>
      addEventListener('load', function () {
        var l = window.lodestone, out = l && l.loaded ? 'loaded' : 'absent';
        var calls = [
          function () { l('track', 'x', { a: 1 }); },
          function () { l('consent', null); },
          function () { l('consent', { analytics: true }); },
          function () { l('visitor', function () {}); },
          function () { l('download', 'y'); },
          function () { history.pushState({}, '', location.pathname + '/b'); },
          function () { document.dispatchEvent(new Event('visibilitychange')); },
          function () { dispatchEvent(new Event('pagehide')); },
          function () { dispatchEvent(new Event('online')); },
          function () { document.getElementById('pdf').click(); },
        ];
        for (var i = 0; i < calls.length; i++) {
          try { calls[i](); out += ' ok'; } catch (e) { out += ' threw:' + e.message; }
        }
        setTimeout(function () { document.title = 'done ' + out; }, 2500);
      });
    </script>`;
    await serve(ctx, prefix, page(hostile + tag('data-consent="analytics"') + driver, '<a id="pdf" href="/x.pdf" download>pdf</a>'));
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/broken`);
    let title = '';
    for (let i = 0; i < 40 && !title.startsWith('done'); i++) {
      await sleep(250);
      title = await p.title();
    }
    expect(title).toBe(`done loaded${' ok'.repeat(10)}`);
    expect(errors).toEqual([]);
  });

  it('a CSP without unsafe-inline: the tag and an external consent script still work', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    const csp = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'";
    // The inline stub is blocked by this CSP; the banner script (external) defines its own.
    const html = page(`<script>window.inlineRan = 1</script><script defer src="/assets/consent-banner.js"></script>${tag()}`, '<main>csp</main>');
    await serve(ctx, prefix, html, { 'content-security-policy': csp });
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/csp`);
    await p.click('text=Analytics only');
    const r = await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx });
    expect(r.map((e) => e.kind)).toEqual(['pageview']);
    expect(await p.evaluate(() => (window as unknown as { inlineRan?: number }).inlineRan)).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('a preload hint for t.js (consent known at load): t.js is fetched once, by the hint, and runs; one page view', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page('<link rel="preload" href="/t.js" as="script">' + tag('data-consent="analytics"')));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    const warnings: string[] = [];
    p.on('console', (m) => warnings.push(m.text()));
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/preloaded`);
    const r = await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx });
    expect(r.map((e) => e.kind)).toEqual(['pageview']);
    const tjs = net.requests.filter((x) => new URL(x.url()).pathname == '/t.js');
    expect(tjs).toHaveLength(1);
    // Sent before s.js ran: the hint's own request, which the tracker's script tag then used.
    expect(net.paths().indexOf('/t.js')).toBeLessThan(net.paths().indexOf('/v1/collect'));
    expect(warnings.filter((w) => /preload/i.test(w))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a preload hint without consent only downloads t.js: nothing runs, is sent or stored', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page('<link rel="preload" href="/t.js" as="script">' + tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/hint-only`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('track', 'ignored'));
    await elapse(ctx, 2_500, 500);
    expect(net.paths().filter((x) => x == '/t.js')).toHaveLength(1);
    expect(net.collects()).toHaveLength(0);
    expect(await storage(p)).toEqual(NOTHING_STORED);
    expect(await p.evaluate(() => document.querySelectorAll('script[src$="/t.js"]').length)).toBe(0);
  });

  it('a nonce-based CSP: the tracker script gets the snippet’s nonce', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    const nonce = 'n0nce' + Math.random().toString(36).slice(2);
    await serve(ctx, prefix, page(`<script defer nonce="${nonce}" src="/s.js" data-site="demo" data-consent="analytics"></script>`), {
      'content-security-policy': `script-src 'nonce-${nonce}'; connect-src 'self'`,
    });
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/nonce`);
    expect((await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx })).map((e) => e.kind)).toEqual(['pageview']);
  });

  it('Trusted Types enforced (script URLs refused): fails silently', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')), {
      'content-security-policy': "require-trusted-types-for 'script'",
    });
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/tt`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('track', 'x'));
    await elapse(ctx, 1_500, 500);
    expect(net.paths()).not.toContain('/t.js');
    expect(errors).toEqual([]);
  });
});

describe('widget loader', () => {
  it('no lead magnet on the page: no w.js, before or after consent', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/plain`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('consent', { analytics: true }));
    await sleep(1_000);
    expect(net.paths()).not.toContain('/w.js');
  });

  it('a lead magnet on the page: w.js from the origin of s.js (not of the page)', async () => {
    const prefix = uniquePrefix();
    // s.js served from another origin (a CDN name, fulfilled here with the real file).
    const cdn = 'http://cdn.lodestone.test';
    const sjs = readFileSync(join(ROOT, 'dist', 'public', 's.js'), 'utf8');
    await ctx.route(`${cdn}/**`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: new URL(route.request().url()).pathname == '/s.js' ? sjs : '/* widget stand-in */' }),
    );
    await serve(ctx, prefix, page(`<script defer src="${cdn}/s.js" data-site="demo"></script>`, '<div data-lodestone-magnet="whitepaper-2026"></div>'));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/magnet`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await sleep(500);
    expect(net.requests.filter((r) => r.url().endsWith('/w.js')).map((r) => r.url())).toEqual([`${cdn}/w.js`]);
    // Loading the widget is not tracking: still nothing sent or stored before consent.
    expect(net.collects()).toHaveLength(0);
  });

  it('a lead magnet rendered later (SPA): w.js once it appears, once', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/spa`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await sleep(500);
    expect(net.paths()).not.toContain('/w.js');
    await p.evaluate(() => {
      const d = document.createElement('section');
      d.innerHTML = '<div data-lodestone-magnet="checklist"></div>';
      document.body.appendChild(d);
      document.body.appendChild(document.createElement('div'));
    });
    await sleep(500);
    await p.evaluate(() => document.body.appendChild(Object.assign(document.createElement('div'), { innerHTML: '<i data-lodestone-magnet="x"></i>' })));
    await sleep(500);
    expect(net.paths().filter((x) => x == '/w.js')).toHaveLength(1);
  });
});

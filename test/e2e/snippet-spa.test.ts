/**
 * The SPA counting matrix in real Chromium: exactly one page view per
 * distinct URL through pushState, replaceState, back/forward, hash routing
 * (opt-in) and a back/forward-cache restore.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { elapse, launchWithBfcache, page, rows, rowsWhen, serve, sleep, stack, tag, uniquePrefix, useFakeTime } from './snippet-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const views = async (prefix: string, n: number, clock: BrowserContext) =>
  (await rowsWhen(prefix, (x) => x.filter((e) => e.kind == 'pageview').length >= n, { clock })).filter((e) => e.kind == 'pageview').map((e) => e.path.slice(prefix.length));

/** Runs a history step and lets popstate/hashchange land. */
const step = async (p: Page, fn: string, arg?: string) => {
  await p.evaluate(([f, a]) => (new Function('a', f) as (a?: string) => void)(a), [fn, arg] as const);
  await sleep(150);
};

describe('SPA page views', () => {
  it('pushState, replaceState, back and forward: one view per distinct URL', async () => {
    const ctx: BrowserContext = await browser.newContext();
    try {
      const prefix = uniquePrefix();
      await useFakeTime(ctx);
      await serve(ctx, prefix, page(tag('data-consent="analytics"')));
      const p = await ctx.newPage();
      await p.goto(`${stack().url}${prefix}/app`);
      await p.waitForFunction(() => window.lodestone?.loaded);
      const push = (path: string) => step(p, 'history.pushState({}, "", a)', prefix + path);
      const replace = (path: string) => step(p, 'history.replaceState({ x: 1 }, "", a)', prefix + path);

      await push('/a'); //                  counted
      await push('/a'); //                  same URL: not counted
      await push('/a?tab=2'); //            same path, other query: not counted
      await replace('/a'); //               replaceState to the same path: not counted
      await replace('/b'); //               replaceState to a new path (a redirect): counted
      await push('/c'); //                  counted
      await step(p, 'history.back()'); //   popstate to /b: counted
      await step(p, 'history.back()'); //   popstate to /a?tab=2: counted
      await step(p, 'history.forward()'); // popstate to /b: counted
      await step(p, 'location.hash = "#section"'); // hash without hash routing: not counted
      await step(p, 'history.back()'); //   back over the hash change: same path, not counted
      await step(p, 'history.pushState({}, "", location.pathname + "#/not-a-route")'); // not counted

      expect(await views(prefix, 7, ctx)).toEqual(['/app', '/a', '/b', '/c', '/b', '/a', '/b']);
      expect(await p.evaluate(() => location.pathname)).toBe(`${prefix}/b`);
    } finally {
      await ctx.close();
    }
  });

  it('hash routing (data-hash="true"): #/ and #!/ routes count, plain anchors do not', async () => {
    const ctx = await browser.newContext();
    try {
      const prefix = uniquePrefix();
      await useFakeTime(ctx);
      await serve(ctx, prefix, page(tag('data-consent="analytics" data-hash="true"')));
      const p = await ctx.newPage();
      await p.goto(`${stack().url}${prefix}/app#/inbox`);
      await p.waitForFunction(() => window.lodestone?.loaded);
      await step(p, 'location.hash = "#/inbox/42"'); // counted (hashchange)
      await step(p, 'location.hash = "#/inbox/42"'); // same: not counted
      await step(p, 'location.hash = "#top"'); //      an anchor: a different URL, but not a route…
      await step(p, 'location.hash = "#!/settings"'); // counted
      await step(p, 'history.pushState({}, "", "#/pricing")'); // counted, and a pricing page
      await step(p, 'history.back()'); //              back to #!/settings: counted
      const r = await rowsWhen(prefix, (x) => x.filter((e) => e.kind == 'pageview').length >= 6, { clock: ctx });
      const pv = r.filter((e) => e.kind == 'pageview').map((e) => e.path.slice(prefix.length));
      // …so "#top" is stored as the route-less page (/app), once.
      expect(pv).toEqual(['/app#/inbox', '/app#/inbox/42', '/app', '/app#!/settings', '/app#/pricing', '/app#!/settings']);
      expect(r.filter((e) => e.kind == 'pricing_view').map((e) => e.path.slice(prefix.length))).toEqual(['/app#/pricing']);
    } finally {
      await ctx.close();
    }
  });

  it('hash routes are ignored without data-hash', async () => {
    const ctx = await browser.newContext();
    try {
      const prefix = uniquePrefix();
      await useFakeTime(ctx);
      await serve(ctx, prefix, page(tag('data-consent="analytics"')));
      const p = await ctx.newPage();
      await p.goto(`${stack().url}${prefix}/app#/inbox`);
      await p.waitForFunction(() => window.lodestone?.loaded);
      await step(p, 'location.hash = "#/inbox/42"');
      await step(p, 'history.pushState({}, "", "#/pricing")');
      await elapse(ctx, 2_500, 500);
      expect((await rows(prefix)).filter((e) => e.kind != 'engagement').map((e) => [e.kind, e.path.slice(prefix.length)])).toEqual([['pageview', '/app']]);
    } finally {
      await ctx.close();
    }
  });

  it('a restore from the back/forward cache is a new view of that page', async () => {
    const bf = await launchWithBfcache();
    try {
      const ctx = await bf.newContext();
      const p = await ctx.newPage();
      await p.addInitScript(() => addEventListener('pageshow', (e) => ((window as unknown as { restored: boolean }).restored = e.persisted)));
      // The demo site: real pages, real consent banner.
      await p.goto(`${stack().url}/careers.html`);
      await p.click('text=Analytics only');
      await p.waitForFunction(() => window.lodestone!('visitor'));
      const vid = (await p.evaluate(() => window.lodestone!('visitor'))) as string;
      await p.click('text=Pricing');
      await p.waitForURL(/pricing/);
      await p.waitForFunction(() => window.lodestone?.loaded);
      await p.goBack({ waitUntil: 'commit' });
      await p.waitForFunction(() => (window as unknown as { restored?: boolean }).restored !== undefined);
      expect(await p.evaluate(() => (window as unknown as { restored: boolean }).restored)).toBe(true);
      await p.goto(`${stack().url}/healthz`);

      const { url, adminToken } = stack();
      let mine: { kind: string; path: string }[] = [];
      for (let i = 0; i < 60 && mine.filter((e) => e.kind == 'pageview').length < 3; i++) {
        await sleep(250);
        const res = await fetch(`${url}/admin/sites/demo/events?limit=500`, { headers: { authorization: `Bearer ${adminToken}` } });
        mine = ((await res.json()) as { events: { kind: string; path: string; visitor_id: string; ts: number }[] }).events
          .filter((e) => e.visitor_id == vid)
          .sort((a, b) => a.ts - b.ts);
      }
      expect(mine.filter((e) => e.kind == 'pageview').map((e) => e.path)).toEqual(['/careers', '/pricing', '/careers']);
      // The engaged time of the first visit to /careers was sent when it went into the cache.
      expect(mine.filter((e) => e.kind == 'engagement').map((e) => e.path)).toContain('/careers');
    } finally {
      await bf.close();
    }
  });
});

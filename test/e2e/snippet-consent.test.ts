/**
 * Consent first, in real Chromium against the local stack: nothing is sent
 * or stored before consent; every consent source; GPC/DNT; revoke;
 * anonymous mode.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import {
  elapse, kinds, networkLog, NOTHING_STORED, page, pageErrors, rows, rowsWhen, serve, sleep, stack, STUB, storage, tag, uniquePrefix, useFakeTime,
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
  // Page time is moved on (elapse, rowsWhen's clock) instead of waited for.
  await useFakeTime(ctx);
});
afterEach(async () => {
  await ctx?.close();
});

/** A page that does everything a tracker would record. */
const BUSY_BODY = `
  <a id="pdf" href="/files/lead-scoring-checklist.pdf" download>PDF</a>
  <a id="out" href="https://partner.example/x">partner</a>
  <script>document.addEventListener('click', (e) => e.preventDefault());</script>`;

async function beBusy(p: import('playwright-core').Page, prefix: string) {
  await p.evaluate((pre) => {
    history.pushState({}, '', pre + '/pricing');
    history.pushState({}, '', pre + '/preise');
    window.lodestone!('track', 'signup', { plan: 'x' });
    window.lodestone!('download', 'blob-report.csv');
  }, prefix);
  await p.click('#pdf');
  await p.click('#out');
  await p.evaluate(() => {
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('pagehide'));
    window.dispatchEvent(new Event('online'));
  });
}

describe('before consent', () => {
  it('sends nothing but the page and s.js, and stores nothing (no cookie, localStorage or IndexedDB)', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(STUB + tag(), BUSY_BODY));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/home?utm_source=x`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await beBusy(p, prefix);
    await elapse(ctx, 3_000, 500);

    // The PDF link (download attribute) may be fetched by the browser itself: that is the page, not us.
    const ours = net.paths().filter((path) => !path.endsWith('.pdf') && path != '/favicon.ico');
    expect(ours).toEqual([`${prefix}/home`, '/s.js']);
    expect(net.collects()).toHaveLength(0);
    expect(await storage(p)).toEqual(NOTHING_STORED);
    expect(await p.evaluate(() => window.lodestone!('visitor'))).toBeUndefined();
    expect(await rows(prefix)).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('a refusal (and revoke on a page that never had consent) creates no storage either', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(STUB + tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => {
      window.lodestone!('consent', { analytics: false, marketing: false });
      window.lodestone!('revoke');
    });
    await elapse(ctx, 1_000, 500);
    expect(net.paths()).not.toContain('/t.js');
    expect(net.collects()).toHaveLength(0);
    expect(await storage(p)).toEqual(NOTHING_STORED);
  });
});

describe('consent sources', () => {
  it('JS API, including calls the loader stub queued before s.js ran', async () => {
    const prefix = uniquePrefix();
    await serve(
      ctx,
      prefix,
      page(`${STUB}<script>lodestone('consent',{analytics:true,marketing:true});lodestone('track','early',{n:1})</script>${tag()}`),
    );
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    const r = await rowsWhen(prefix, (x) => x.length >= 2, { clock: ctx });
    expect(kinds(r)).toEqual(['pageview', 'custom']);
    expect(r[1]).toMatchObject({ name: 'early', props: '{"n":1}' });
    const vid = await p.evaluate(() => window.lodestone!('visitor'));
    expect(vid).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(r.every((e) => e.visitor_id == vid)).toBe(true);
    expect(await p.evaluate(() => localStorage.getItem('lodestone_vid'))).toBe(vid);
    // The widget's way to get the id: a callback with the consent state.
    const answer = await p.evaluate(() => new Promise((res) => window.lodestone!('visitor', (id: string, consent: unknown) => res({ id, consent }))));
    expect(answer).toEqual({ id: vid, consent: { analytics: true, marketing: true } });
  });

  it('revoke stops at once, deletes the visitor id and the stored queue; a new consent is a new visitor', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('consent', { analytics: true }));
    await rowsWhen(prefix, (x) => x.length >= 1, { settle: 0, clock: ctx });
    const vid1 = await p.evaluate(() => window.lodestone!('visitor'));

    // Something stored in the offline queue, so revoke has an IndexedDB database to delete.
    await ctx.setOffline(true);
    await p.evaluate(() => window.lodestone!('track', 'offline-before-revoke'));
    await p.waitForFunction(async () => (await indexedDB.databases()).some((d) => d.name == 'lodestone'), undefined, { timeout: 10_000 });
    await p.evaluate(() => window.lodestone!('track', 'queued-in-memory'));
    await p.evaluate(() => window.lodestone!('revoke'));
    await ctx.setOffline(false);
    const sentBefore = net.collects().length;
    await p.evaluate((pre) => {
      window.lodestone!('track', 'after-revoke');
      history.pushState({}, '', pre + '/after-revoke');
    }, prefix);
    await elapse(ctx, 3_000, 500);

    expect(net.collects().length).toBe(sentBefore);
    expect(await storage(p)).toEqual(NOTHING_STORED);
    expect(await p.evaluate(() => window.lodestone!('visitor'))).toBeUndefined();
    const r = await rows(prefix);
    expect(kinds(r)).toEqual(['pageview']);

    await p.evaluate(() => window.lodestone!('consent', { analytics: true }));
    const r2 = await rowsWhen(prefix, (x) => x.length >= 2, { clock: ctx });
    const vid2 = await p.evaluate(() => window.lodestone!('visitor'));
    expect(vid2).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(vid2).not.toBe(vid1);
    expect(r2.map((e) => [e.kind, e.path, e.visitor_id])).toEqual([
      ['pageview', `${prefix}/home`, vid1],
      ['pageview', `${prefix}/after-revoke`, vid2],
    ]);
  });

  it('data attribute (a site that gates the script itself)', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(tag('data-consent="analytics marketing"')));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    const r = await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx });
    expect(kinds(r)).toEqual(['pageview']);
    expect(r[0]!.visitor_id).toBe(await p.evaluate(() => window.lodestone!('visitor')));
  });

  it('Google Consent Mode v2: a denied default tracks nothing, an update to granted starts tracking, a later denial revokes', async () => {
    const prefix = uniquePrefix();
    const gcm = `<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}
      gtag('consent','default',{analytics_storage:'denied',ad_storage:'denied'});dataLayer.push({event:'gtm.js'});</script>`;
    await serve(ctx, prefix, page(gcm + tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await elapse(ctx, 1_000, 500);
    expect(net.collects()).toHaveLength(0);
    expect(await storage(p)).toEqual(NOTHING_STORED);

    await p.evaluate(() => (window as unknown as { gtag: (...a: unknown[]) => void }).gtag('consent', 'update', { analytics_storage: 'granted' }));
    const r = await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx });
    expect(kinds(r)).toEqual(['pageview']);
    expect(await p.evaluate(() => localStorage.getItem('lodestone_vid'))).toBe(r[0]!.visitor_id);
    // dataLayer still works for everyone else.
    expect(await p.evaluate(() => window.dataLayer!.length)).toBe(3);

    await p.evaluate(() => (window as unknown as { gtag: (...a: unknown[]) => void }).gtag('consent', 'update', { analytics_storage: 'denied' }));
    await sleep(300);
    expect(await p.evaluate(() => localStorage.getItem('lodestone_vid'))).toBeNull();
  });

  it('Google Consent Mode v2: an update already in dataLayer before the snippet loads counts', async () => {
    const prefix = uniquePrefix();
    const gcm = `<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)}
      gtag('consent','default',{analytics_storage:'denied'});gtag('consent','update',{analytics_storage:'granted'});
      gtag('consent','default',{analytics_storage:'denied'});</script>`;
    await serve(ctx, prefix, page(gcm + tag()));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    const r = await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx });
    expect(kinds(r)).toEqual(['pageview']);
  });

  it('IAB TCF v2.2: tracking starts when the CMP reports purposes 1 and 8, and stops when they are withdrawn', async () => {
    const prefix = uniquePrefix();
    // A stand-in CMP with the real __tcfapi calling convention.
    const cmp = `<script>(function(){var ls=[];var data={eventStatus:'cmpuishown',gdprApplies:true,purpose:{consents:{}}};
      window.__tcfapi=function(cmd,v,cb){if(cmd==='addEventListener'&&v===2){ls.push(cb);cb(data,true);}};
      window.cmpDecide=function(status,consents){data={eventStatus:status,gdprApplies:true,purpose:{consents:consents}};ls.forEach(function(cb){cb(data,true)});};})();</script>`;
    await serve(ctx, prefix, page(cmp + tag()));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await elapse(ctx, 1_000, 500);
    expect(net.collects()).toHaveLength(0);

    // Purpose 1 alone is not enough for analytics.
    await p.evaluate(() => (window as unknown as { cmpDecide: (s: string, c: object) => void }).cmpDecide('useractioncomplete', { 1: true }));
    await elapse(ctx, 1_000, 500);
    expect(net.collects()).toHaveLength(0);
    expect(await storage(p)).toEqual(NOTHING_STORED);

    await p.evaluate(() => (window as unknown as { cmpDecide: (s: string, c: object) => void }).cmpDecide('useractioncomplete', { 1: true, 8: true }));
    const r = await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx });
    expect(kinds(r)).toEqual(['pageview']);
    const marketing = await p.evaluate(() => new Promise((res) => window.lodestone!('visitor', (_: string, c: { marketing: boolean }) => res(c.marketing))));
    expect(marketing).toBe(false);

    await p.evaluate(() => (window as unknown as { cmpDecide: (s: string, c: object) => void }).cmpDecide('useractioncomplete', { 1: true }));
    await sleep(300);
    expect(await p.evaluate(() => window.lodestone!('visitor'))).toBeUndefined();
    expect(await p.evaluate(() => localStorage.getItem('lodestone_vid'))).toBeNull();
  });
});

describe('browser privacy signals', () => {
  for (const [name, init] of [
    ['GPC', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })],
    ['DNT', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })],
  ] as const) {
    it(`${name} counts as refusal, even after consent`, async () => {
      const prefix = uniquePrefix();
      await ctx.addInitScript(init);
      await serve(ctx, prefix, page(tag()));
      const net = networkLog(ctx);
      const p = await ctx.newPage();
      await p.goto(`${stack().url}${prefix}/home`);
      await p.waitForFunction(() => window.lodestone?.loaded);
      await p.evaluate(() => window.lodestone!('consent', { analytics: true, marketing: true }));
      await elapse(ctx, 2_500, 500);
      expect(net.collects()).toHaveLength(0);
      expect(net.paths()).not.toContain('/t.js');
      expect(await storage(p)).toEqual(NOTHING_STORED);
    });
  }

  it('data-gpc="ignore": the site decided to rely on consent alone', async () => {
    const prefix = uniquePrefix();
    await ctx.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    await serve(ctx, prefix, page(tag('data-gpc="ignore"')));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('consent', { analytics: true }));
    expect(kinds(await rowsWhen(prefix, (x) => x.length >= 1, { clock: ctx }))).toEqual(['pageview']);
  });

  it('GPC in anonymous mode: anonymous page views only, consent does not add an id', async () => {
    const prefix = uniquePrefix();
    await ctx.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    await serve(ctx, prefix, page(tag('data-mode="anonymous"')));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => window.lodestone!('consent', { analytics: true }));
    await p.evaluate((pre) => history.pushState({}, '', pre + '/next'), prefix);
    const r = await rowsWhen(prefix, (x) => x.length >= 3, { clock: ctx });
    // The SPA move also sends the engaged time of the first page: anonymous too.
    expect(r.map((e) => [e.kind, e.visitor_id])).toEqual([['pageview', null], ['engagement', null], ['pageview', null]]);
    expect(await storage(p)).toEqual(NOTHING_STORED);
  });
});

describe('anonymous mode', () => {
  it('page views without an identifier and without storage; consent upgrades, revoke goes back', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(tag('data-mode="anonymous"')));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/home`, { referer: 'https://news.example/post' });
    await p.evaluate((pre) => history.pushState({}, '', pre + '/pricing'), prefix);
    let r = await rowsWhen(prefix, (x) => x.length >= 4, { clock: ctx });
    expect(r.map((e) => [e.kind, e.path, e.visitor_id])).toEqual([
      ['pageview', `${prefix}/home`, null],
      ['engagement', `${prefix}/home`, null],
      ['pageview', `${prefix}/pricing`, null],
      ['pricing_view', `${prefix}/pricing`, null],
    ]);
    expect(r[0]!.referrer).toBe('https://news.example/post');
    expect(await storage(p)).toEqual(NOTHING_STORED);

    await p.evaluate(() => window.lodestone!('consent', { analytics: true }));
    await p.evaluate((pre) => history.pushState({}, '', pre + '/after-consent'), prefix);
    r = await rowsWhen(prefix, (x) => x.some((e) => e.path.endsWith('/after-consent')), { clock: ctx });
    const vid = await p.evaluate(() => window.lodestone!('visitor'));
    // The page seen anonymously is not counted twice on upgrade.
    expect(r.filter((e) => e.kind == 'pageview').map((e) => [e.path, e.visitor_id])).toEqual([
      [`${prefix}/home`, null],
      [`${prefix}/pricing`, null],
      [`${prefix}/after-consent`, vid],
    ]);

    await p.evaluate(() => window.lodestone!('revoke'));
    await p.evaluate((pre) => history.pushState({}, '', pre + '/after-revoke'), prefix);
    r = await rowsWhen(prefix, (x) => x.some((e) => e.path.endsWith('/after-revoke')), { clock: ctx });
    expect(r.filter((e) => e.path.endsWith('/after-revoke')).map((e) => [e.kind, e.visitor_id])).toEqual([['pageview', null]]);
    expect(await storage(p)).toEqual(NOTHING_STORED);
  });
});

/**
 * Every event kind with its payload, in real Chromium against the local
 * stack: what the browser sent (network log) and what D1 stored (admin API).
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { kinds, networkLog, page, pageErrors, rowsWhen, serve, setHidden, sleep, stack, tag, uniquePrefix, useFakeTime } from './snippet-helpers';

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

const LINKS = `
  <a id="pdf" href="/files/lead-scoring-checklist.pdf?token=secret">checklist</a>
  <a id="attr" href="/export/report" download="report.xlsx">export</a>
  <a id="tagged" href="/get?id=7" data-lodestone-download="whitepaper-2026">whitepaper</a>
  <a id="blob" download="notes.txt">blob</a>
  <a id="out" href="https://partner.example/offer?ref=acme#top"><span>partner</span></a>
  <a id="same" href="/t/elsewhere">same site</a>
  <a id="mail" href="mailto:sales@acme.example">mail</a>
  <script>
    document.getElementById('blob').href = URL.createObjectURL(new Blob(['hi'], { type: 'text/plain' }));
    // A host page that swallows clicks: the snippet listens in the capture phase.
    document.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); });
    document.addEventListener('auxclick', (e) => { e.preventDefault(); e.stopPropagation(); });
  </script>`;

describe('events and payloads', () => {
  it('pageview with referrer and UTM on the first hit only; pricing_view on pricing paths (German too)', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/de/preise?utm_source=newsletter&utm_medium=email&utm_campaign=q4&email=a@b.example`, {
      referer: 'https://www.google.com/search?q=acme',
    });
    await p.evaluate((pre) => history.pushState({}, '', pre + '/about?utm_source=internal'), prefix);
    const r = await rowsWhen(prefix, (x) => x.filter((e) => e.kind == 'pageview').length >= 2, { clock: ctx });
    const views = r.filter((e) => e.kind != 'engagement');
    expect(views.map((e) => [e.kind, e.path])).toEqual([
      ['pageview', `${prefix}/de/preise`],
      ['pricing_view', `${prefix}/de/preise`],
      ['pageview', `${prefix}/about`],
    ]);
    expect(views[0]).toMatchObject({ referrer: 'https://www.google.com/search', url: `${stack().url}${prefix}/de/preise` });
    expect(JSON.parse(views[0]!.utm!)).toEqual({ source: 'newsletter', medium: 'email', campaign: 'q4' });
    expect(views[1]).toMatchObject({ referrer: null, utm: null });
    expect(views[2]).toMatchObject({ referrer: null, utm: null });

    // On the wire: no query string (it can carry personal data), UTM separately.
    const sent = net.events();
    expect(sent.every((e) => !e.url.includes('?'))).toBe(true);
    expect(JSON.stringify(net.bodies())).not.toContain('a@b.example');
    expect(sent[0]).toMatchObject({ kind: 'pageview', ref: 'https://www.google.com/search', utm: { source: 'newsletter', medium: 'email', campaign: 'q4' } });
    for (const e of sent) {
      expect(e.id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      expect(e.vid).toBe(sent[0]!.vid);
      expect(Math.abs(e.ts - Date.now())).toBeLessThan(60_000);
    }
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    expect(net.bodies().every((b) => b.site == 'demo')).toBe(true);
  });

  it('downloads (extension, download attribute, data attribute, blob, API) and outbound clicks (incl. middle click)', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"'), LINKS));
    const p = await ctx.newPage();
    const errors = pageErrors(p);
    await p.goto(`${stack().url}${prefix}/links`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    for (const id of ['pdf', 'attr', 'tagged', 'blob', 'out', 'same', 'mail']) await p.click(`#${id}`);
    await p.click('#out span', { button: 'middle' });
    await p.click('#out', { button: 'right' });
    await p.evaluate(() => {
      window.lodestone!('download', 'generated-quote.pdf', { format: 'pdf', pages: 3 });
      window.lodestone!('download', '');
    });
    const r = await rowsWhen(prefix, (x) => x.length >= 8, { clock: ctx });
    const clicks = r.filter((e) => e.kind == 'download' || e.kind == 'outbound');
    expect(clicks.map((e) => [e.kind, e.target])).toEqual([
      ['download', `${stack().url}/files/lead-scoring-checklist.pdf`],
      ['download', `${stack().url}/export/report`],
      ['download', 'whitepaper-2026'],
      ['download', 'notes.txt'],
      ['outbound', 'https://partner.example/offer'],
      ['outbound', 'https://partner.example/offer'],
      ['download', 'generated-quote.pdf'],
    ]);
    expect(JSON.parse(clicks[6]!.props!)).toEqual({ format: 'pdf', pages: 3 });
    expect(clicks.every((e) => e.path == `${prefix}/links`)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('custom events: name and flat props, trimmed to the protocol limits; form_view and form_submit for the widget', async () => {
    const prefix = uniquePrefix();
    await useFakeTime(ctx);
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    const p = await ctx.newPage();
    await p.goto(`${stack().url}${prefix}/custom`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await p.evaluate(() => {
      const l = window.lodestone!;
      l('track', 'trial_click', { plan: 'business', seats: 25, annual: true, nested: { no: 1 }, list: [1], nan: NaN, long: 'x'.repeat(300) });
      l('track', 'n'.repeat(100));
      l('track', '');
      l('track');
      l('form_view', 'whitepaper-2026');
      l('form_submit', 'whitepaper-2026', { step: 2 });
      l('no-such-command', 'x');
    });
    const r = await rowsWhen(prefix, (x) => x.length >= 5, { clock: ctx });
    // Same millisecond: compare without order.
    const rest = r.filter((e) => e.kind != 'pageview').sort((a, b) => `${a.kind}${a.name}`.localeCompare(`${b.kind}${b.name}`));
    expect(rest.map((e) => [e.kind, e.name, e.magnet_id, e.props && JSON.parse(e.props)])).toEqual([
      ['custom', 'n'.repeat(64), null, null],
      ['custom', 'trial_click', null, { plan: 'business', seats: 25, annual: true, long: 'x'.repeat(256) }],
      ['form_submit', null, 'whitepaper-2026', { step: 2 }],
      ['form_view', null, 'whitepaper-2026', null],
    ]);
  });

  it('engaged time: the visible time of each page, sent when it is hidden or left (never unload)', async () => {
    const prefix = uniquePrefix();
    await serve(ctx, prefix, page(tag('data-consent="analytics"')));
    await ctx.addInitScript(() => {
      // Prove the snippet never listens to unload/beforeunload.
      const add = EventTarget.prototype.addEventListener;
      EventTarget.prototype.addEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
        if (type == 'unload' || type == 'beforeunload') (window as unknown as { badListener: string }).badListener = type;
        return add.call(this, type, ...(rest as [EventListener]));
      } as typeof add;
    });
    const net = networkLog(ctx);
    const p = await ctx.newPage();
    const start = Date.now();
    await p.goto(`${stack().url}${prefix}/one`);
    await p.waitForFunction(() => window.lodestone?.loaded);
    await sleep(1_200);
    // Hidden for a while: that time does not count.
    await setHidden(p, true);
    const hiddenAt = Date.now();
    // While visible the snippet sends with fetch (it can read the answer); on hide with a beacon.
    await sleep(200);
    expect(net.collects().map((r) => r.resourceType())).toEqual(['fetch', 'ping']);
    expect(net.events().map((e) => e.kind)).toEqual(['pageview', 'engagement']);
    await sleep(1_500);
    await setHidden(p, false);
    const shownAt = Date.now();
    await sleep(800);
    await p.evaluate((pre) => history.pushState({}, '', pre + '/two'), prefix);
    await sleep(600);
    expect(await p.evaluate(() => (window as unknown as { badListener?: string }).badListener)).toBeUndefined();
    // Leaving the page (a real navigation: pagehide) sends the time of /two.
    const leftAt = Date.now();
    await p.goto(`${stack().url}/healthz`);
    const r = await rowsWhen(prefix, (x) => x.filter((e) => e.kind == 'engagement').length >= 3);
    const eng = r.filter((e) => e.kind == 'engagement').map((e) => [e.path, e.engaged_ms!] as const);
    expect(eng.map(([path]) => path)).toEqual([`${prefix}/one`, `${prefix}/one`, `${prefix}/two`]);
    const [first, second, third] = eng.map(([, ms]) => ms);
    expect(first).toBeGreaterThanOrEqual(1_000);
    expect(first).toBeLessThanOrEqual(hiddenAt - start);
    expect(second).toBeGreaterThanOrEqual(700);
    expect(second).toBeLessThan(1_500); // not the hidden 1.5 s
    expect(third).toBeGreaterThanOrEqual(500);
    expect(third).toBeLessThanOrEqual(Date.now() - leftAt + 1_000);
    expect(shownAt).toBeGreaterThan(hiddenAt);
    expect(kinds(r).filter((k) => k == 'pageview')).toHaveLength(2);
  });
});

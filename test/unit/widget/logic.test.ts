import { describe, expect, it } from 'vitest';
import type { MagnetPublic } from '../../../protocol';
import { WIDGET_COPY } from '../../../edge/features/leads/widget-copy';
import { checkValues, explain } from '../../../widget/check';
import { pickLang } from '../../../widget/i18n';
import { capAllows, readOptions, scrolledPercent } from '../../../widget/options';

const t = WIDGET_COPY.en;
const cfg = {
  site: 'demo', id: 'wp', title: 'T', description: '', lang: 'en', privacyUrl: 'https://x.example/p', coupled: false,
  fields: [{ name: 'firstName', required: false }, { name: 'company', required: true }],
  consent: { text: 'I agree to it.', version: 'v1' }, ui: t,
} as MagnetPublic;

describe('pickLang', () => {
  it.each([
    [undefined, 'de', 'de'], [undefined, 'de-AT', 'de'], [undefined, 'DE-ch', 'de'], [undefined, 'en-GB', 'en'],
    [undefined, 'fr', 'en'], [undefined, '', 'en'], [undefined, 'dex', 'en'], ['en', 'de', 'en'], ['de', 'en', 'de'],
  ])('override %j, html lang %j → %s', (override, html, lang) => {
    expect(pickLang(override, html)).toBe(lang);
  });
});

describe('readOptions', () => {
  it('defaults to inline with a 7-day cap', () => {
    expect(readOptions({ lodestoneMagnet: 'wp' })).toEqual({ magnet: 'wp', mode: 'inline', label: undefined, scroll: undefined, delay: undefined, exit: false, capDays: 7 });
  });
  it('reads the slide-in triggers', () => {
    expect(readOptions({ lodestoneMagnet: 'wp', mode: 'slidein', scroll: '40', delay: '12', exitIntent: '', cap: '0' }))
      .toMatchObject({ mode: 'slidein', scroll: 40, delay: 12, exit: true, capDays: 0 });
  });
  it('gives a slide-in without triggers a scroll trigger, ignores junk', () => {
    expect(readOptions({ lodestoneMagnet: 'wp', mode: 'slidein', delay: 'soon', cap: '-1' })).toMatchObject({ scroll: 50, delay: undefined, capDays: 7 });
    expect(readOptions({ lodestoneMagnet: 'wp', mode: 'popup' }).mode).toBe('inline');
  });
});

describe('frequency cap and scroll share', () => {
  const day = 86_400_000;
  it('allows when never shown or the cap has passed', () => {
    expect(capAllows(0, 10 * day, 7)).toBe(true);
    expect(capAllows(NaN, 10 * day, 7)).toBe(true);
    expect(capAllows(3 * day, 10 * day, 7)).toBe(true);
    expect(capAllows(3 * day + 1, 10 * day, 7)).toBe(false);
    expect(capAllows(10 * day, 10 * day, 0)).toBe(true);
  });
  it('measures the scrolled share', () => {
    expect(scrolledPercent(0, 800, 2800)).toBe(0);
    expect(scrolledPercent(1000, 800, 2800)).toBe(50);
    expect(scrolledPercent(5000, 800, 2800)).toBe(100);
    expect(scrolledPercent(0, 800, 600)).toBe(100);
  });
});

describe('checkValues', () => {
  it('passes a complete form', () => {
    expect(checkValues({ email: 'a@b.co', company: 'Acme' }, true, cfg, t)).toEqual({});
  });
  it('flags address, required fields, markup and the consent box', () => {
    expect(checkValues({ email: 'nope', firstName: '<b>', company: '' }, false, cfg, t)).toEqual({
      email: t.errEmail, firstName: t.errField, company: t.errRequired, consent: t.errConsent,
    });
    expect(checkValues({}, true, cfg, t).email).toBe(t.errRequired);
  });
});

describe('explain', () => {
  const problem = (status: number, errors?: { path: string; message: string }[], type = 'urn:lodestone:problem:validation') =>
    ({ status, problem: { type, title: 'x', status, detail: 'x', errors } }) as Parameters<typeof explain>[0];
  it('maps field errors of a 400', () => {
    expect(explain(problem(400, [{ path: '/email', message: 'bad' }, { path: '/company', message: 'is required' }, { path: '/role', message: 'must not contain < or >' }]), t))
      .toEqual({ fields: { email: t.errEmail, company: t.errRequired, role: t.errField }, message: t.errSummary });
  });
  it('tells "too fast" and the bot check apart', () => {
    expect(explain(problem(400, [{ path: '/elapsedMs', message: 'x' }]), t).message).toBe(t.errFast);
    expect(explain(problem(400, [{ path: '/turnstile', message: 'x' }]), t).message).toBe(t.errBot);
    expect(explain(problem(403, undefined, 'urn:lodestone:problem:forbidden'), t).message).toBe(t.errBot);
  });
  it('network, changed form, rate limit, server', () => {
    expect(explain({ status: 0 }, t).message).toBe(t.errNetwork);
    expect(explain(problem(409), t).message).toBe(t.errReload);
    expect(explain(problem(429), t).message).toBe(t.errTooMany);
    expect(explain(problem(503), t).message).toBe(t.errServer);
  });
});

describe('widget words', () => {
  it('German and English have the same keys and no empty entries', () => {
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v).map((s) => `${k}.${s}`) : [k]));
    expect(keys(WIDGET_COPY.de).sort()).toEqual(keys(WIDGET_COPY.en).sort());
    for (const lang of ['en', 'de'] as const) {
      for (const [k, v] of Object.entries(WIDGET_COPY[lang])) if (typeof v === 'string') expect(v.trim(), `${lang}.${k}`).not.toBe('');
    }
  });
});

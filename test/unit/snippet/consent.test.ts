import { describe, expect, it } from 'vitest';
import { fromApi, fromAttribute, fromConsentMode, fromTcf, level, privacySignal, reduce, type Consent, type Signal } from '../../../snippet/consent';

const run = (...signals: (Signal | undefined)[]): Consent => signals.reduce<Consent>((s, g) => (g ? reduce(s, g) : s), {});
const gtag = (...args: unknown[]) => fromConsentMode((function () { return arguments; })(...(args as [])));

describe('consent state machine', () => {
  it('starts with nothing granted, so nothing is tracked in required mode', () => {
    expect(level({}, false, false)).toBe(0);
    expect(level({}, true, false)).toBe(1);
  });

  it('the latest decision wins, whatever its source', () => {
    expect(level(run(fromApi({ analytics: true })), false, false)).toBe(2);
    expect(level(run(fromApi({ analytics: true }), fromApi({ analytics: false })), false, false)).toBe(0);
    expect(level(run(fromAttribute('analytics'), fromApi({ analytics: false })), false, false)).toBe(0);
    expect(level(run(fromApi({ analytics: false }), fromTcf({ eventStatus: 'useractioncomplete', purpose: { consents: { 1: true, 8: true } } })), false, false)).toBe(2);
  });

  it('a Consent Mode default never overrides an earlier decision', () => {
    const s = run(gtag('consent', 'update', { analytics_storage: 'granted' }), gtag('consent', 'default', { analytics_storage: 'denied' }));
    expect(s.a).toBe(true);
    const api = run(fromApi({ analytics: true }), gtag('consent', 'default', { analytics_storage: 'denied' }));
    expect(api.a).toBe(true);
    // …but a default does count while nothing was decided, and an update after it wins.
    expect(run(gtag('consent', 'default', { analytics_storage: 'granted' })).a).toBe(true);
    expect(run(gtag('consent', 'default', { analytics_storage: 'granted' }), gtag('consent', 'update', { analytics_storage: 'denied' })).a).toBe(false);
  });

  it('a signal without a purpose leaves that purpose alone', () => {
    const s = run(fromApi({ analytics: true, marketing: true }), gtag('consent', 'update', { ad_storage: 'denied' }));
    expect(s).toMatchObject({ a: true, m: false });
  });

  it('GPC/DNT outweigh consent: at most anonymous', () => {
    const granted = run(fromApi({ analytics: true, marketing: true }));
    expect(level(granted, false, true)).toBe(0);
    expect(level(granted, true, true)).toBe(1);
    expect(level(granted, true, false)).toBe(2);
  });
});

describe('consent sources (parsing)', () => {
  it('JS API: truthy purposes only; a missing object throws (the command is ignored)', () => {
    expect(fromApi({ analytics: 1, marketing: '' })).toEqual({ a: true, m: false });
    expect(() => fromApi(undefined as never)).toThrow();
  });

  it('data attribute: tokens, absent means no signal', () => {
    expect(fromAttribute(undefined)).toBeUndefined();
    expect(fromAttribute('')).toEqual({ a: false, m: false });
    expect(fromAttribute('analytics')).toEqual({ a: true, m: false });
    expect(fromAttribute('analytics marketing')).toEqual({ a: true, m: true });
    expect(fromAttribute('analytics,marketing')).toEqual({ a: true, m: true });
  });

  it('Consent Mode: arguments objects and arrays; other dataLayer entries are ignored', () => {
    expect(gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'granted' })).toEqual({ def: true, a: false, m: true });
    expect(fromConsentMode(['consent', 'update', { analytics_storage: 'granted' }])).toEqual({ def: false, a: true, m: undefined });
    expect(fromConsentMode({ event: 'gtm.js' })).toBeUndefined();
    expect(fromConsentMode(['config', 'G-XYZ', {}])).toBeUndefined();
    expect(fromConsentMode(['consent', 'default'])).toBeUndefined();
    expect(fromConsentMode(null)).toBeUndefined();
  });

  it('TCF: only settled states count; purposes 1+8 analytics, 1+3+4 marketing', () => {
    expect(fromTcf({ eventStatus: 'cmpuishown', purpose: { consents: { 1: true, 8: true } } })).toBeUndefined();
    expect(fromTcf({ eventStatus: 'tcloaded', gdprApplies: true, purpose: { consents: { 1: true, 8: true } } })).toEqual({ a: true, m: false });
    expect(fromTcf({ eventStatus: 'tcloaded', gdprApplies: true, purpose: { consents: { 8: true } } })).toEqual({ a: false, m: false });
    expect(fromTcf({ eventStatus: 'useractioncomplete', gdprApplies: true, purpose: { consents: { 1: true, 3: true, 4: true, 8: true } } })).toEqual({ a: true, m: true });
    expect(fromTcf({ eventStatus: 'useractioncomplete', gdprApplies: true, purpose: { consents: {} } })).toEqual({ a: false, m: false });
    expect(fromTcf({ eventStatus: 'tcloaded', gdprApplies: false })).toEqual({ a: true, m: true });
    expect(fromTcf(undefined)).toBeUndefined();
  });

  it('privacy signals: GPC true, DNT "1" (navigator or window)', () => {
    expect(privacySignal({}, {})).toBe(false);
    expect(privacySignal({ globalPrivacyControl: true }, {})).toBe(true);
    expect(privacySignal({ globalPrivacyControl: false, doNotTrack: '0' }, {})).toBe(false);
    expect(privacySignal({ doNotTrack: '1' }, {})).toBe(true);
    expect(privacySignal({ doNotTrack: null }, { doNotTrack: '1' })).toBe(true);
  });
});

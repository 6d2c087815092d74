import type { Level } from './types';

/**
 * The consent state machine. Pure: no I/O, no globals, so every rule here is
 * unit-tested. Sources (JS API, Consent Mode, TCF, data attribute) turn their
 * input into a Signal; the latest signal wins, except that a Consent Mode
 * `default` is only a default: it never overrides a decision seen before (a
 * Consent Mode `update`, the JS API, TCF or the data attribute).
 *
 * Short keys on purpose (this ships in the first-load bundle): a =
 * analytics, m = marketing.
 */
export interface Consent {
  a?: boolean;
  m?: boolean;
  /** A decision was seen: later Consent Mode defaults are ignored. */
  d?: boolean;
}

/** One consent input. A missing purpose leaves that purpose unchanged. */
export interface Signal {
  a?: boolean;
  m?: boolean;
  /** A Consent Mode `default` (not a decision). */
  def?: boolean;
}

export const reduce = (state: Consent, signal: Signal): Consent =>
  signal.def && state.d ? state : { a: signal.a ?? state.a, m: signal.m ?? state.m, d: state.d || !signal.def };

/**
 * What may be tracked. `refused` is a browser privacy signal (GPC/DNT) that
 * the site honours: it outweighs any consent, so such visitors get at most
 * the anonymous mode.
 */
export const level = (state: Consent, anonymousMode: boolean, refused: boolean): Level =>
  state.a && !refused ? 2 : anonymousMode ? 1 : 0;

/** `data-consent="analytics marketing"`: consent the page already obtained (none when absent). */
export const fromAttribute = (value?: string): Signal | undefined =>
  value == null ? undefined : { a: /analytics/.test(value), m: /marketing/.test(value) };

/** The JS API: `lodestone('consent', {analytics, marketing})`. Throws on a missing object (the caller ignores the call). */
export const fromApi = (value: { analytics?: unknown; marketing?: unknown }): Signal => ({ a: !!value.analytics, m: !!value.marketing });

const granted = (value: unknown) => (value == null ? undefined : value == 'granted');

/**
 * One `dataLayer` entry as gtag() pushes it (an `arguments` object or an
 * array): ['consent', 'default'|'update', {analytics_storage, ad_storage, …}].
 * Anything else gives undefined. Region-scoped defaults are read as if they
 * applied everywhere (the stricter reading).
 */
export function fromConsentMode(entry: unknown): Signal | undefined {
  const e = (entry || {}) as ArrayLike<unknown>;
  const p = e[2] as Record<string, unknown> | undefined;
  if (e[0] == 'consent' && (e[1] == 'default' || e[1] == 'update') && p) {
    return { def: e[1] == 'default', a: granted(p.analytics_storage), m: granted(p.ad_storage) };
  }
}

/**
 * IAB TCF v2.2 `tcData`, once the user decided (`tcloaded` or
 * `useractioncomplete`). Analytics needs purposes 1 (store/access on a
 * device) and 8 (measure content performance); marketing needs 1, 3 and 4
 * (build and use a profile). Where the CMP says GDPR does not apply, both
 * count as given.
 */
export function fromTcf(data: unknown): Signal | undefined {
  const d = (data || {}) as { eventStatus?: string; gdprApplies?: boolean; purpose?: { consents?: Record<number, boolean> } };
  if (!/^(tcloaded|useractioncomplete)$/.test(d.eventStatus!)) return;
  const c = d.purpose?.consents || {};
  const no = d.gdprApplies === false;
  return { a: no || !!(c[1] && c[8]), m: no || !!(c[1] && c[3] && c[4]) };
}

/** GPC or DNT switched on in the browser. */
export const privacySignal = (nav: { globalPrivacyControl?: boolean; doNotTrack?: string | null }, win: { doNotTrack?: string }): boolean =>
  !!nav.globalPrivacyControl || nav.doNotTrack == '1' || win.doNotTrack == '1';

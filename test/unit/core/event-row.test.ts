import { describe, expect, it } from 'vitest';
import { clampEventTime, cleanTarget, cleanUrl, extractUtm, MAX_EVENT_AGE_MS, toEventRow } from '../../../edge/core/event-row';

describe('clampEventTime', () => {
  const received = 1_800_000_000_000;
  it('keeps plausible times', () => {
    expect(clampEventTime(received - 5_000, received)).toBe(received - 5_000);
  });
  it('moves future times to the receive time', () => {
    expect(clampEventTime(received + 1, received)).toBe(received);
  });
  it('moves times older than the replay window to its edge', () => {
    expect(clampEventTime(0, received)).toBe(received - MAX_EVENT_AGE_MS);
  });
});

describe('cleanUrl', () => {
  it('drops query and fragment', () => {
    expect(cleanUrl('https://a.example/p/q?email=x@y.z#top')).toEqual({ url: 'https://a.example/p/q', path: '/p/q' });
  });
  it('keeps hash routes', () => {
    expect(cleanUrl('https://a.example/app?x=1#/pricing')).toEqual({ url: 'https://a.example/app#/pricing', path: '/app#/pricing' });
    expect(cleanUrl('https://a.example/#!/a')).toEqual({ url: 'https://a.example/#!/a', path: '/#!/a' });
  });
  it('drops the query string inside a hash route', () => {
    expect(cleanUrl('https://a.example/app#/thanks?email=x@y.z&n=1')).toEqual({ url: 'https://a.example/app#/thanks', path: '/app#/thanks' });
    expect(cleanUrl('https://a.example/#!/a?t=secret')).toEqual({ url: 'https://a.example/#!/a', path: '/#!/a' });
  });
});

describe('cleanTarget', () => {
  it('strips absolute link targets like page URLs', () => {
    expect(cleanTarget('https://partner.example/go?email=x@y.z#frag')).toBe('https://partner.example/go');
    expect(cleanTarget('https://a.example/app#/dl?email=x@y.z')).toBe('https://a.example/app#/dl');
  });
  it('strips relative download targets from the first "?" and drops plain fragments', () => {
    expect(cleanTarget('/files/guide.pdf?email=x@y.z')).toBe('/files/guide.pdf');
    expect(cleanTarget('guide.pdf#page=2')).toBe('guide.pdf');
    expect(cleanTarget('guide.pdf#x?email=x@y.z')).toBe('guide.pdf');
    expect(cleanTarget('/a#/b?email=x@y.z')).toBe('/a#/b');
    expect(cleanTarget('/files/guide.pdf')).toBe('/files/guide.pdf');
  });
});

describe('extractUtm', () => {
  it('prefers the explicit utm and fills the rest from the URL', () => {
    expect(extractUtm({ url: 'https://a.example/?utm_source=url&utm_campaign=spring', utm: { source: 'explicit' } }))
      .toEqual({ source: 'explicit', campaign: 'spring' });
  });
  it('is null without any UTM', () => {
    expect(extractUtm({ url: 'https://a.example/?q=1' })).toBeNull();
  });
});

describe('toEventRow', () => {
  it('keeps kind-specific fields only for their kind', () => {
    const row = toEventRow(
      { id: 'evt_12345678', kind: 'pageview', ts: 1, url: 'https://a.example/x' },
      { siteId: 's', receivedAt: 1_800_000_000_000, country: 'xx' },
    );
    expect(row).toMatchObject({ target: null, magnetId: null, engagedMs: null, name: null, country: null, path: '/x' });
  });
});

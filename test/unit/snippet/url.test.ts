import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol/events';
import { extensionMatcher } from '../../../snippet/config';
import { classifyLink, externalReferrer, pageKey, pageUrl, utmFrom } from '../../../snippet/url';

const loc = (href: string) => new URL(href);
const link = (href: string, attrs: Record<string, string> = {}) => ({ href, getAttribute: (n: string) => attrs[n] ?? null });
const exts = extensionMatcher();

describe('page key and URL', () => {
  it('path only; no query; hash only for hash routes with hash routing on', () => {
    expect(pageKey(loc('https://a.example/p?q=1#x'), false)).toBe('/p');
    expect(pageKey(loc('https://a.example/p#x'), true)).toBe('/p');
    expect(pageKey(loc('https://a.example/app#/users/1'), true)).toBe('/app#/users/1');
    expect(pageKey(loc('https://a.example/app#!/users'), true)).toBe('/app#!/users');
    expect(pageKey(loc('https://a.example/app#/thanks?email=x@y.z'), true)).toBe('/app#/thanks');
    expect(pageUrl(loc('https://a.example/app#/thanks?email=x@y.z'), true)).toBe('https://a.example/app#/thanks');
    expect(pageKey(loc('https://a.example/app#/users/1'), false)).toBe('/app');
    expect(pageUrl(loc('https://a.example/p?email=a@b.example'), false)).toBe('https://a.example/p');
  });

  it('never longer than the edge accepts', () => {
    const long = `https://a.example/${'x'.repeat(5000)}`;
    expect(pageUrl(loc(long), false)).toHaveLength(LIMITS.urlMaxLength);
  });
});

describe('referrer and UTM', () => {
  it('only another site’s http(s) page, without query', () => {
    expect(externalReferrer('https://www.google.com/search?q=lodestone', 'a.example')).toBe('https://www.google.com/search');
    expect(externalReferrer('https://a.example/pricing', 'a.example')).toBeUndefined();
    expect(externalReferrer('', 'a.example')).toBeUndefined();
    expect(externalReferrer('android-app://com.google.android.gm/', 'a.example')).toBeUndefined();
  });

  it('utm_* parameters, cut to the prop limit; none → undefined', () => {
    expect(utmFrom('?utm_source=news&utm_medium=email&utm_campaign=q4&x=1')).toEqual({ source: 'news', medium: 'email', campaign: 'q4' });
    expect(utmFrom('?utm_term=&utm_content=' + 'c'.repeat(300))).toEqual({ content: 'c'.repeat(LIMITS.propValueMaxLength) });
    expect(utmFrom('?a=1')).toBeUndefined();
    expect(utmFrom('')).toBeUndefined();
  });
});

describe('link classification', () => {
  const host = 'www.acme.example';
  it('downloads by extension, download attribute and data-lodestone-download', () => {
    expect(classifyLink(link('https://www.acme.example/files/a.pdf?sig=secret'), host, exts)).toEqual(['download', 'https://www.acme.example/files/a.pdf']);
    expect(classifyLink(link('https://cdn.other.example/a.zip'), host, exts)).toEqual(['download', 'https://cdn.other.example/a.zip']);
    expect(classifyLink(link('https://www.acme.example/export', { download: '' }), host, exts)).toEqual(['download', 'https://www.acme.example/export']);
    expect(classifyLink(link('https://www.acme.example/get?id=7', { 'data-lodestone-download': 'whitepaper-2026' }), host, exts)).toEqual(['download', 'whitepaper-2026']);
    expect(classifyLink(link('https://www.acme.example/get', { 'data-lodestone-download': '' }), host, exts)).toEqual(['download', 'https://www.acme.example/get']);
  });

  it('blob: and data: downloads are named by their download attribute', () => {
    expect(classifyLink(link('blob:https://www.acme.example/1b2c', { download: 'report.csv' }), host, exts)).toEqual(['download', 'report.csv']);
    expect(classifyLink(link('data:text/plain,hi', { download: '' }), host, exts)).toEqual(['download', 'data']);
  });

  it('outbound: http(s) to another host, without query', () => {
    expect(classifyLink(link('https://partner.example/x?ref=acme#top'), host, exts)).toEqual(['outbound', 'https://partner.example/x']);
    expect(classifyLink(link('http://www.acme.example:8080/'), host, exts)).toEqual(['outbound', 'http://www.acme.example:8080/']);
  });

  it('neither: same host, mailto:, tel:, javascript:', () => {
    expect(classifyLink(link('https://www.acme.example/pricing'), host, exts)).toBeUndefined();
    expect(classifyLink(link('mailto:jobs@acme.example'), host, exts)).toBeUndefined();
    expect(classifyLink(link('tel:+49711'), host, exts)).toBeUndefined();
    expect(classifyLink(link('javascript:void(0)'), host, exts)).toBeUndefined();
  });
});

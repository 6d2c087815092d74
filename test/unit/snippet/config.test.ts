import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING, extensionMatcher, pathMatcher, trackerConfig } from '../../../snippet/config';

describe('pricing path patterns', () => {
  const defaults = pathMatcher(DEFAULT_PRICING);

  it.each([
    '/pricing', '/pricing/', '/pricing.html', '/pricing/teams', '/en/pricing', '/Pricing', '/plans', '/prices',
    '/preise', '/de/preise/', '/preis', '/preisliste.php', '/tarife', '/app#/pricing',
  ])('defaults count %s', (path) => expect(defaults.test(path)).toBe(true));

  it.each(['/', '/pricingx', '/pricing-faq', '/blog/pricing-strategies', '/floorplans', '/preisverleihung', '/about'])(
    'defaults do not count %s',
    (path) => expect(defaults.test(path)).toBe(false),
  );

  it('custom patterns replace the defaults; * matches anything; regex characters are literal', () => {
    const m = pathMatcher(' /kosten , /shop/*/abo, /a.b ');
    expect(m.test('/kosten')).toBe(true);
    expect(m.test('/kosten/firmen')).toBe(true);
    expect(m.test('/shop/de/abo')).toBe(true);
    expect(m.test('/a.b')).toBe(true);
    expect(m.test('/axb')).toBe(false);
    expect(m.test('/pricing')).toBe(false);
  });

  it('an empty pattern list matches nothing', () => {
    expect(pathMatcher(' , ').test('/')).toBe(false);
    expect(pathMatcher('').test('')).toBe(false);
  });
});

describe('download extensions', () => {
  it('has a broad default list and takes extra ones', () => {
    const m = extensionMatcher();
    for (const p of ['/a.pdf', '/a.PDF', '/x/y.zip', '/r.xlsx', '/r.xls', '/d.docx', '/s.pptx', '/i.dmg', '/e.epub', '/c.csv', '/v.mp4']) {
      expect(m.test(p), p).toBe(true);
    }
    for (const p of ['/a.html', '/pdf', '/a.pdf/', '/a.php', '/x.ics.bak']) expect(m.test(p), p).toBe(false);
    const extra = extensionMatcher('step, stl ,bad.ext,(x|y)');
    expect(extra.test('/model.step')).toBe(true);
    expect(extra.test('/model.stl')).toBe(true);
    expect(extra.test('/a.pdf')).toBe(true);
    // Only [A-Za-z0-9_] extensions: no regex injection.
    expect(extra.test('/a.x')).toBe(false);
    expect(extra.test('/a.bad.ext')).toBe(false);
  });
});

describe('tracker config from data attributes', () => {
  it('defaults, and the endpoint resolves against the script URL', () => {
    const c = trackerConfig({ site: 'demo' }, 'https://edge.example.com/s.js');
    expect(c.endpoint).toBe('https://edge.example.com/v1/collect');
    expect(c.hash).toBe(false);
    expect(c.pricing.test('/preise')).toBe(true);
  });

  it('behind a path prefix, and with every option set', () => {
    const c = trackerConfig(
      { site: 'demo', endpoint: 'https://t.example.org/collect', pricing: '/kosten', downloads: 'step', hash: 'true' },
      'https://www.example.org/lodestone/s.js',
    );
    expect(c.endpoint).toBe('https://t.example.org/collect');
    expect(trackerConfig({ site: 'x' }, 'https://www.example.org/lodestone/s.js').endpoint).toBe('https://www.example.org/lodestone/v1/collect');
    expect(c.hash).toBe(true);
    expect(c.pricing.test('/preise')).toBe(false);
    expect(c.pricing.test('/kosten')).toBe(true);
    expect(c.downloads.test('/a.step')).toBe(true);
  });
});

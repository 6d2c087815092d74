import { describe, expect, it } from 'vitest';
import { evaluateFit } from '../../../../edge/core/scoring/fit';
import { compileGlob, compilePathPattern, globMatch, normalisePath, pathMatches } from '../../../../edge/core/scoring/match';
import { DEFAULT_MODEL, parseModel } from '../../../../edge/core/scoring/model';

const matched = (model: Parameters<typeof evaluateFit>[0], profile: Parameters<typeof evaluateFit>[1]) =>
  evaluateFit(model, profile).rules.filter((r) => r.matched).map((r) => r.id);

describe('fit on the default model', () => {
  it('adds every matching rule once', () => {
    const r = evaluateFit(DEFAULT_MODEL, {
      email: ' Jane.Doe@Acme.DE ',
      role: 'Head of   Marketing',
      companySize: '50-249',
      industry: 'IT-Dienstleistungen',
      country: 'de',
    });
    expect(r.rules.filter((l) => l.matched).map((l) => [l.id, l.points])).toEqual([
      ['size-icp', 3000],
      ['industry-fit', 2000],
      ['role-decision-maker', 500],
      ['country-dach', 300],
      ['email-business', 200],
    ]);
    expect(r.fit).toBe(6000);
    expect(r.rules).toHaveLength(DEFAULT_MODEL.fit.length);
    expect(r.rules.filter((l) => !l.matched).every((l) => l.points === 0)).toBe(true);
  });

  it('tells free-mail from business domains, case-insensitively', () => {
    expect(matched(DEFAULT_MODEL, { email: 'jane@GMX.de' })).toEqual(['email-freemail']);
    expect(matched(DEFAULT_MODEL, { email: 'jane@googlemail.com' })).toEqual(['email-freemail']);
    expect(matched(DEFAULT_MODEL, { email: 'jane@mail.acme.de' })).toEqual(['email-business']);
    expect(evaluateFit(DEFAULT_MODEL, { email: 'jane@web.de' }).fit).toBe(-300);
    // No address (or no domain): neither business nor free-mail.
    expect(matched(DEFAULT_MODEL, {})).toEqual([]);
    expect(matched(DEFAULT_MODEL, { email: 'not-an-address' })).toEqual([]);
  });

  it('catches competitors by domain and subdomain, not by look-alikes', () => {
    expect(evaluateFit(DEFAULT_MODEL, { email: 'spy@HubSpot.com' }).fit).toBe(200 - 5000);
    expect(matched(DEFAULT_MODEL, { email: 'spy@eu.hubspot.com' })).toContain('competitor');
    expect(matched(DEFAULT_MODEL, { email: 'fan@nothubspot.com' })).not.toContain('competitor');
  });

  it('puts company sizes into ranges by whole buckets', () => {
    const size = (companySize: string | null) => matched(DEFAULT_MODEL, { companySize }).filter((id) => id.startsWith('size'));
    expect(size('1-9')).toEqual([]);
    expect(size('10-49')).toEqual(['size-small']);
    expect(size('50-249')).toEqual(['size-icp']);
    expect(size(' 250 - 999 ')).toEqual(['size-icp']);
    expect(size('1000+')).toEqual(['size-enterprise']);
    expect(size('120')).toEqual(['size-icp']);
    expect(size('5000')).toEqual(['size-enterprise']);
    expect(size('many')).toEqual([]);
    expect(size(null)).toEqual([]);
  });

  it('matches role keywords as whole words, German compounds through *', () => {
    const role = (r: string) => matched(DEFAULT_MODEL, { role: r }).includes('role-decision-maker');
    expect(role('CEO & Co-Founder')).toBe(true);
    expect(role('  head OF sales ')).toBe(true);
    expect(role('Geschäftsführerin')).toBe(true);
    expect(role('Marketingleiter')).toBe(true);
    expect(role('Leiterin Vertrieb')).toBe(true);
    expect(role('Werkstudent')).toBe(false);
    expect(role('Headhunter')).toBe(false);
  });

  it('does not match a keyword inside another word', () => {
    const model = parseModel({
      thresholds: { mql: 1, sql: 2 },
      temperature: { warm: 1, hot: 2 },
      fit: [
        { id: 'cto', field: 'role', keywords: ['CTO'], points: 500 },
        { id: 'it', field: 'industry', keywords: ['it'], points: 2000 },
        { id: 'ch', field: 'country', countries: ['ch'], points: 300 },
        { id: 'acme', field: 'company', keywords: ['acme'], points: 1 },
        { id: 'private', field: 'emailType', is: 'freemail', points: -300 },
      ],
      freeMailDomains: ['Example-Mail.org'],
      engagement: [],
    });
    expect(matched(model, { role: 'Director' })).toEqual([]);
    expect(matched(model, { role: 'cto' })).toEqual(['cto']);
    expect(matched(model, { industry: 'Fitness' })).toEqual([]);
    expect(matched(model, { industry: 'IT services' })).toEqual(['it']);
    expect(matched(model, { country: ' Ch ' })).toEqual(['ch']);
    expect(matched(model, { company: 'ACME GmbH' })).toEqual(['acme']);
    expect(matched(model, { email: 'x@example-mail.org' })).toEqual(['private']);
  });
});

describe('path patterns', () => {
  const m = (pattern: string, path: string) => pathMatches(compilePathPattern(pattern), normalisePath(path));
  it('normalises case, trailing slashes and escapes', () => {
    expect(normalisePath('/De/Preise/')).toBe('/de/preise');
    expect(normalisePath('/%C3%BCber-uns')).toBe('/über-uns');
    expect(normalisePath('/')).toBe('/');
    expect(normalisePath('/%E0%A4%A')).toBe('/%e0%a4%a');
  });
  it('matches globs: * within a segment, ** across, trailing /** includes the path itself', () => {
    expect(m('/preise', '/Preise/')).toBe(true);
    expect(m('/preise', '/de/preise')).toBe(false);
    expect(m('**/preise/**', '/preise')).toBe(true);
    expect(m('**/preise/**', '/de/preise/team')).toBe(true);
    expect(m('**/pricing/**', '/app#/pricing')).toBe(true);
    expect(m('/*/kontakt', '/de/kontakt')).toBe(true);
    expect(m('/*/kontakt', '/de/at/kontakt')).toBe(false);
    expect(m('/blog/????', '/blog/2026')).toBe(true);
    expect(m('/blog/????', '/blog/26')).toBe(false);
    expect(m('/über-uns', '/%C3%9Cber-uns')).toBe(true);
  });
  it('stays linear on hostile input (no backtracking blow-up)', () => {
    const g = compileGlob('**a**a**a**a**a**a**b');
    const text = 'a'.repeat(20_000);
    const t = performance.now();
    expect(globMatch(g, text)).toBe(false);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

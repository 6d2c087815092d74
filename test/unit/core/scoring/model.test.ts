import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../../../edge/http/problem';
import { validate } from '../../../../edge/http/validate';
import { DEFAULT_MODEL, MODEL_LIMITS, parseModel, scoringModelSchema } from '../../../../edge/core/scoring/model';

/** A small valid model; each test breaks one thing. */
const valid = () => ({
  thresholds: { mql: 100, sql: 200 },
  temperature: { warm: 10, hot: 50 },
  fit: [{ id: 'size', field: 'companySize', min: 50, max: 999, points: 1000 }],
  engagement: [{ id: 'pv', kinds: ['pageview'], points: 1, capPerDay: 5 }],
});

/** The field errors of a rejected model (fails the test when the model is accepted). */
function errorsOf(input: unknown) {
  try {
    validate(scoringModelSchema, input, 'scoring model');
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    const p = e as ProblemError;
    expect(p.status).toBe(400);
    return p.errors ?? [];
  }
  throw new Error('the model was accepted');
}

const pathsOf = (input: unknown) => errorsOf(input).map((e) => e.path);

describe('scoring model validation', () => {
  it('accepts the default model unchanged (after a JSON round trip)', () => {
    const parsed = parseModel(JSON.parse(JSON.stringify(DEFAULT_MODEL)));
    expect(parsed).toEqual(DEFAULT_MODEL);
  });

  it('keeps the default model small and in the classic scheme', () => {
    expect(DEFAULT_MODEL.fit.length).toBeLessThanOrEqual(MODEL_LIMITS.fitRules);
    expect(DEFAULT_MODEL.halfLifeDays).toBe(30);
    for (const r of DEFAULT_MODEL.engagement) expect(Math.abs(r.points)).toBeLessThan(100);
    expect(DEFAULT_MODEL.fit.find((r) => r.id === 'competitor')?.points).toBe(-5000);
    expect(DEFAULT_MODEL.fit.find((r) => r.id === 'email-freemail')?.points).toBe(-300);
    expect(Object.isFrozen(DEFAULT_MODEL.engagement[0])).toBe(true);
  });

  it('fills defaults and normalises values', () => {
    const m = parseModel({
      ...valid(),
      fit: [
        { id: 'c', field: 'country', countries: ['de', 'At'], points: 300 },
        { id: 'rival', field: 'emailDomain', domains: [' Rival.EXAMPLE. '], points: -5000 },
      ],
    });
    expect(m).toMatchObject({ version: 1, halfLifeDays: 30, stageCooldownDays: 7, temperature: { basis: 'engagement' } });
    expect(m.fit[0]).toMatchObject({ countries: ['DE', 'AT'] });
    expect(m.fit[1]).toMatchObject({ domains: ['rival.example'] });
  });

  it('rejects a body that is not an object at the root', () => {
    expect(errorsOf([])).toEqual([{ path: '/', message: 'must be a JSON object' }]);
  });

  it('names unknown keys (typos) instead of ignoring them, with escaped pointers', () => {
    const m = valid();
    expect(pathsOf({ ...m, halfLife: 30 })).toEqual(['/halfLife']);
    expect(pathsOf({ ...m, 'a/b~c': 1 })).toEqual(['/a~1b~0c']);
    expect(errorsOf({ ...m, engagement: [{ ...m.engagement[0], capPerday: 3 }] })).toEqual([
      { path: '/engagement/0/capPerday', message: 'is not a known field' },
    ]);
  });

  it('requires thresholds and temperature', () => {
    const { thresholds: _t, temperature: _h, ...rest } = valid();
    expect(pathsOf(rest).sort()).toEqual(['/temperature', '/thresholds']);
  });

  it('bounds the half-life (overflow guard) and the cool-down', () => {
    const [e] = errorsOf({ ...valid(), halfLifeDays: 1 });
    expect(e).toEqual({ path: '/halfLifeDays', message: expect.stringContaining('at least 7') });
    expect(pathsOf({ ...valid(), halfLifeDays: '30' })).toEqual(['/halfLifeDays']);
    expect(pathsOf({ ...valid(), stageCooldownDays: -1 })).toEqual(['/stageCooldownDays']);
  });

  it('orders thresholds: sql ≥ mql, hot ≥ warm', () => {
    expect(errorsOf({ ...valid(), thresholds: { mql: 300, sql: 200 } })).toEqual([
      { path: '/thresholds/sql', message: 'must be at least mql (SQL comes after MQL)' },
    ]);
    expect(pathsOf({ ...valid(), temperature: { warm: 50, hot: 10 } })).toEqual(['/temperature/hot']);
    expect(pathsOf({ ...valid(), thresholds: { mql: 1, sql: 2, sqlMinFit: 'high' } })).toEqual(['/thresholds/sqlMinFit']);
  });

  describe('fit rules', () => {
    const fitErrors = (rule: unknown) => errorsOf({ ...valid(), fit: [rule] });
    it('needs a known field', () => {
      expect(fitErrors({ id: 'x', field: 'age', points: 1 })).toEqual([
        { path: '/fit/0/field', message: expect.stringContaining('must be one of companySize') },
      ]);
      expect(fitErrors('size')).toEqual([{ path: '/fit/0', message: 'must be a JSON object' }]);
    });
    it('checks company size bounds against the buckets', () => {
      expect(fitErrors({ id: 's', field: 'companySize', min: 100, points: 1 })).toEqual([
        { path: '/fit/0/min', message: "must be a bucket's lower bound: 1, 10, 50, 250, 1000" },
      ]);
      expect(fitErrors({ id: 's', field: 'companySize', points: 1 })).toEqual([{ path: '/fit/0/min', message: 'must set min, max or both' }]);
      expect(fitErrors({ id: 's', field: 'companySize', min: 250, max: 49, points: 1 })).toEqual([
        { path: '/fit/0/max', message: 'must be at least min' },
      ]);
    });
    it('checks keywords, countries, domains and the e-mail type', () => {
      expect(fitErrors({ id: 'r', field: 'role', keywords: [], points: 1 })[0]?.path).toBe('/fit/0/keywords');
      expect(fitErrors({ id: 'r', field: 'role', keywords: ['ceo', '**'], points: 1 })[0]?.path).toBe('/fit/0/keywords/1');
      expect(fitErrors({ id: 'c', field: 'country', countries: ['DE', 'DEU'], points: 1 })[0]?.path).toBe('/fit/0/countries/1');
      expect(fitErrors({ id: 'd', field: 'emailDomain', domains: ['not a domain'], points: 1 })[0]?.path).toBe('/fit/0/domains/0');
      expect(fitErrors({ id: 'e', field: 'emailType', is: 'private', points: 1 })[0]).toEqual({
        path: '/fit/0/is',
        message: 'must be freemail or business',
      });
    });
    it('checks ids and points', () => {
      expect(fitErrors({ id: 'Bad Id', field: 'country', countries: ['DE'], points: 1 })[0]?.path).toBe('/fit/0/id');
      expect(fitErrors({ id: 'c', field: 'country', countries: ['DE'], points: 100_001 })[0]).toEqual({
        path: '/fit/0/points',
        message: 'must be at most 100000',
      });
    });
  });

  describe('engagement rules', () => {
    const engErrors = (rule: unknown) => errorsOf({ ...valid(), engagement: [rule] });
    it('checks points and caps', () => {
      expect(engErrors({ id: 'a', kinds: ['pageview'], points: 1.5 })).toEqual([{ path: '/engagement/0/points', message: 'must be an integer' }]);
      expect(engErrors({ id: 'a', kinds: ['pageview'], points: 1, capPerDay: 0 })).toEqual([
        { path: '/engagement/0/capPerDay', message: 'must be at least 1 (leave it out for no cap)' },
      ]);
      expect(engErrors({ id: 'a', kinds: ['pageview'], points: 1, capTotal: 2.5 })[0]?.path).toBe('/engagement/0/capTotal');
    });
    it('checks kinds, paths, magnets and names', () => {
      expect(engErrors({ id: 'a', kinds: ['pageview', 'pagevew'], points: 1 })[0]).toEqual({
        path: '/engagement/0/kinds/1',
        message: expect.stringContaining('must be one of pageview'),
      });
      expect(engErrors({ id: 'a', paths: ['preise'], points: 1 })[0]?.path).toBe('/engagement/0/paths/0');
      expect(engErrors({ id: 'a', paths: ['/a b'], points: 1 })[0]?.path).toBe('/engagement/0/paths/0');
      expect(engErrors({ id: 'a', magnets: ['Guide PDF'], points: 1 })[0]?.path).toBe('/engagement/0/magnets/0');
      expect(engErrors({ id: 'a', names: [''], points: 1 })[0]?.path).toBe('/engagement/0/names/0');
    });
    it('needs at least one criterion', () => {
      expect(engErrors({ id: 'a', points: 1 })).toEqual([
        { path: '/engagement/0', message: 'must match on at least one of kinds, paths, magnets, names' },
      ]);
    });
  });

  it('requires rule ids to be unique across both groups', () => {
    const m = valid();
    expect(errorsOf({ ...m, engagement: [m.engagement[0], { id: 'size', kinds: ['download'], points: 15 }] })).toEqual([
      { path: '/engagement/1/id', message: expect.stringContaining('must be unique') },
    ]);
  });

  it('limits the number of rules', () => {
    const engagement = Array.from({ length: MODEL_LIMITS.engagementRules + 1 }, (_, i) => ({ id: `r${i}`, kinds: ['pageview'], points: 1 }));
    expect(errorsOf({ ...valid(), engagement })).toEqual([
      { path: '/engagement', message: 'must hold at most 50 rules (too many criteria make scoring worse)' },
    ]);
  });

  it('reports every error at once, and the first in the detail', () => {
    const input = { ...valid(), halfLifeDays: 0, fit: [{ id: 'x', field: 'country', countries: ['D'], points: 1 }] };
    expect(pathsOf(input).sort()).toEqual(['/fit/0/countries/0', '/halfLifeDays']);
    try {
      parseModel(input);
    } catch (e) {
      expect((e as ProblemError).detail).toMatch(/^The scoring model is invalid: \/halfLifeDays /);
      expect((e as ProblemError).toJSON().path).toBe('/halfLifeDays');
    }
  });
});

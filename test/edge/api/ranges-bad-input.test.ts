import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { encodeCursor, filterFingerprint } from '../../../edge/core/cursor';
import { adminCall, collect, createSite, expectProblem, pageview } from '../helpers';
import { apiKey, seedLead } from '../scoring-helpers';
import { api, rowCounts } from '../gdpr-helpers';

/**
 * Times and numbers outside what the code can compute with (JS dates end at
 * ±8.64e15 ms, decay at some hundred half-lives from its reference time,
 * integers are exact only below 2^53) are refused as 400 problems: never a
 * 500, and nothing is written.
 */

const scoreCursor = (at: number, extra: Partial<{ value: number; fit: number; e: number }> = {}) =>
  encodeCursor({ sort: 'score', at, value: extra.value ?? 1, id: 'ld_x', filters: filterFingerprint({ sort: 'score' }), ...extra });
const updatedCursor = (at: number) => encodeCursor({ sort: 'updated', at, value: Date.now(), id: 'ld_x', filters: filterFingerprint({ sort: 'updated' }) });

describe('out-of-range times and numbers: 400, nothing changes', () => {
  it.each([
    ['a cursor snapshot at 1e300', `/v1/leads?cursor=${scoreCursor(1e300, { fit: 0, e: 1 })}`, '/cursor'],
    ['a cursor snapshot at 1e300 (query path)', `/v1/leads?cursor=${scoreCursor(1e300)}`, '/cursor'],
    ['a cursor snapshot past the last JS date', `/v1/leads?sort=updated&cursor=${updatedCursor(8.64e15 + 1)}`, '/cursor'],
    ['a cursor snapshot at -1e16', `/v1/leads?cursor=${scoreCursor(-1e16, { fit: 0, e: 1 })}`, '/cursor'],
    ['a cursor snapshot decades away (decay range)', `/v1/leads?cursor=${scoreCursor(Date.UTC(2090, 0, 1), { fit: 0, e: 1 })}`, '/cursor'],
    ['a cursor snapshot at a fraction', `/v1/leads?cursor=${scoreCursor(Date.now() - 0.5, { fit: 0, e: 1 })}`, '/cursor'],
    ['updated_since past the last JS date', '/v1/leads?updated_since=8640000000000001', '/updated_since'],
    ['updated_since at -1e16', '/v1/leads?updated_since=-1e16', '/updated_since'],
    ['updated_since with 30 digits', `/v1/leads?updated_since=${'9'.repeat(30)}`, '/updated_since'],
    ['funnel to past the last JS date', '/v1/reports/funnel?to=8640000000000001', '/to'],
    ['funnel from past the last JS date', '/v1/reports/funnel?from=8640000000000001', '/from'],
    ['funnel to at -1e16', '/v1/reports/funnel?to=-1e16', '/to'],
    ['funnel from as an ISO date past the last JS date', '/v1/reports/funnel?from=%2B275760-09-13T00:00:00.001Z', '/from'],
    ['deliveries cursor past 2^53', '/v1/webhooks/deliveries?cursor=99999999999999999999', '/cursor'],
  ])('%s', async (_name, path, field) => {
    const site = await createSite();
    const key = await apiKey(site);
    await seedLead(site);
    const before = await rowCounts();
    const problem = await expectProblem(await api(key, 'GET', path), 400, PROBLEM_TYPES.validation);
    expect(problem.errors?.map((e) => e.path)).toContain(field);
    expect(await rowCounts()).toEqual(before);
  });

  it.each([
    ['since past 2^53', 'since=99999999999999999999'],
    ['since at 1e300', 'since=1e300'],
    ['limit past 2^53', 'limit=99999999999999999999'],
  ])('admin event tail: %s', async (_name, query) => {
    const site = await createSite();
    const before = await rowCounts();
    await expectProblem(await adminCall('GET', `/admin/sites/${site}/events?${query}`), 400, PROBLEM_TYPES.validation);
    expect(await rowCounts()).toEqual(before);
  });

  it('collect: an event time past the last JS date', async () => {
    const site = await createSite();
    const before = await rowCounts();
    const problem = await expectProblem(await collect({ site, events: [pageview({ ts: 8.64e15 + 2 })] }), 400, PROBLEM_TYPES.validation);
    expect(problem.errors?.map((e) => e.path)).toContain('/events/0/ts');
    expect(await rowCounts()).toEqual(before);
  });

  it('a fresh cursor still pages, and huge scores in the query are answered, never a 500', async () => {
    const site = await createSite();
    const key = await apiKey(site);
    for (let i = 0; i < 3; i++) await seedLead(site);
    const first = (await (await api(key, 'GET', '/v1/leads?limit=1&sort=updated')).json()) as { next: string };
    expect(first.next).toEqual(expect.any(String));
    expect((await api(key, 'GET', `/v1/leads?limit=1&sort=updated&cursor=${first.next}`)).status).toBe(200);
    expect((await api(key, 'GET', `/v1/leads?cursor=${scoreCursor(Date.now(), { value: 1e300, fit: 1e300, e: 1e300 })}`)).status).toBe(200);
    expect((await api(key, 'GET', '/v1/leads?min_score=1e308')).status).toBeLessThan(500);
  });
});

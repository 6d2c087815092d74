import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { call, countAllRows, expectProblem } from '../helpers';
import { send } from '../leads-helpers';

/** A known path asked with a method it does not answer: 405 with Allow, as problem+json; unknown paths stay 404. */
describe('405 Method Not Allowed', () => {
  it.each([
    ['DELETE', '/v1/collect', 'POST'],
    ['GET', '/v1/collect', 'POST'],
    ['PUT', '/v1/leads', 'GET, HEAD, POST'],
    ['PUT', '/v1/leads/ld_abcdefghijklmnop', 'GET, HEAD, PATCH, DELETE'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/v1/reports/funnel', 'GET, HEAD'],
    ['PUT', '/v1/webhooks/whe_abcdefghijklmnop', 'GET, HEAD, PATCH, DELETE'],
  ])('%s %s → Allow: %s', async (method, path, allow) => {
    const before = await countAllRows();
    const res = await call(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    const problem = await expectProblem(res, 405, PROBLEM_TYPES.methodNotAllowed);
    expect(res.headers.get('allow')).toBe(allow);
    expect(problem.detail).toContain(path);
    expect(await countAllRows()).toEqual(before);
  });

  it('an unknown path is still 404', async () => {
    await expectProblem(await call('/v1/nothing-here', { method: 'DELETE' }), 404, PROBLEM_TYPES.notFound);
    await expectProblem(await call('/nope.js'), 404, PROBLEM_TYPES.notFound);
  });

  it('static files are still served for GET and HEAD; a GET the assets do not have on a POST-only path is 405', async () => {
    const asked: string[] = [];
    const ASSETS = {
      fetch: async (req: Request) => {
        asked.push(`${req.method} ${new URL(req.url).pathname}`);
        return new URL(req.url).pathname === '/s.js' ? new Response('/* snippet */', { status: 200, headers: { 'content-type': 'text/javascript' } }) : new Response('', { status: 404 });
      },
    } as unknown as Fetcher;
    const js = await send('/s.js', {}, { ASSETS });
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('/* snippet */');
    expect((await send('/s.js', { method: 'HEAD' }, { ASSETS })).status).toBe(200);
    const res = await send('/v1/collect', {}, { ASSETS });
    await expectProblem(res, 405, PROBLEM_TYPES.methodNotAllowed);
    expect(asked).toEqual(['GET /s.js', 'HEAD /s.js', 'GET /v1/collect']);
  });
});

import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { call, collect, createSite, expectProblem, pageview } from '../helpers';

const preflight = (origin: string | null, headers = 'content-type') =>
  call('/v1/collect', {
    method: 'OPTIONS',
    headers: {
      ...(origin ? { origin } : {}),
      'access-control-request-method': 'POST',
      'access-control-request-headers': headers,
    },
  });

describe('CORS', () => {
  it('answers a preflight from an allowed origin', async () => {
    const origin = `https://allowed-${Date.now()}.example`;
    await createSite([origin]);
    const res = await preflight(origin);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('refuses a preflight from an origin no site allows, without CORS headers', async () => {
    for (const origin of ['https://forbidden.example', null]) {
      const res = await preflight(origin);
      await expectProblem(res, 403, PROBLEM_TYPES.forbiddenOrigin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it("an origin allowed by one site is still refused by another site's collect", async () => {
    const origin = `https://only-a-${Date.now()}.example`;
    await createSite([origin]);
    const b = await createSite(['https://www.example.com']);
    expect((await preflight(origin)).status).toBe(204);
    const res = await collect({ site: b, events: [pageview()] }, { origin });
    await expectProblem(res, 403, PROBLEM_TYPES.forbiddenOrigin);
  });

  it('validation errors for an allowed origin are readable by the page', async () => {
    const site = await createSite();
    const res = await collect({ site, events: [{ ...pageview(), kind: 'bogus' }] });
    await expectProblem(res, 400, PROBLEM_TYPES.validation);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
  });
});

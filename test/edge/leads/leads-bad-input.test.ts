import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { expectProblem } from '../helpers';
import { NOTHING, postLead, setupMagnet, storedFor, submission } from '../leads-helpers';

/**
 * Issue 4, "Bad input": each case is refused with a message naming the field
 * and the rule, and leaves no row anywhere (lead, ledger, token, outbox,
 * event) and no mail.
 */
const LONG = 'x'.repeat(10_000);

const cases: [string, Record<string, unknown>, string, RegExp][] = [
  ['an invalid e-mail address', { email: 'jane.doe@@example' }, '/email', /valid domain|not allowed|e-mail address/],
  ['an e-mail address without a domain dot', { email: 'jane@localhost' }, '/email', /valid domain/],
  ['an e-mail address with a space', { email: 'jane doe@example.com' }, '/email', /spaces/],
  ['a missing e-mail address', { email: undefined }, '/email', /is required/],
  ['a 10,000-character e-mail address', { email: `${LONG}@example.com` }, '/email', /at most 254 characters/],
  ['a 10,000-character company', { company: LONG }, '/company', /at most 100 characters/],
  ['a 10,000-character first name', { firstName: LONG }, '/firstName', /at most 50 characters/],
  ['a 10,000-character role', { role: LONG }, '/role', /at most 100 characters/],
  ['HTML in the company', { company: '<b>Acme</b>' }, '/company', /HTML is not allowed/],
  ['a script in the role', { role: '<script>alert(1)</script>' }, '/role', /HTML is not allowed/],
  ['an image tag in the industry', { industry: '<img src=x onerror=alert(1)>' }, '/industry', /HTML is not allowed/],
  ['markup in the first name', { firstName: '<svg onload=alert(1)>' }, '/firstName', /HTML is not allowed/],
  ['CRLF in the first name', { firstName: 'Jane\r\nBcc: victim@example.com' }, '/firstName', /line breaks/],
  ['a bare LF in the first name', { firstName: 'Jane\nDoe' }, '/firstName', /line breaks/],
  ['CRLF in the e-mail address', { email: 'jane@example.com\r\nBcc: victim@example.com' }, '/email', /line breaks|spaces/],
  ['a URL as first name', { firstName: 'Visit http://spam.example' }, '/firstName', /must be a name/],
  ['the consent checkbox unticked', { consent: false }, '/consent', /consent checkbox must be ticked/],
  ['the consent checkbox missing', { consent: undefined }, '/consent', /consent checkbox must be ticked/],
  ['consent sent as a string', { consent: 'true' }, '/consent', /consent checkbox must be ticked/],
  ['an unknown company size', { companySize: '5000' }, '/companySize', /must be one of/],
  ['a page URL that is not http(s)', { url: 'javascript:alert(1)' }, '/url', /http\(s\) URL/],
  ['an unknown language', { lang: 'fr' }, '/lang', /must be one of en, de/],
];

describe('POST /v1/leads: bad input is refused and nothing is stored', () => {
  it.each(cases)('%s', async (_name, overrides, path, message) => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, overrides);
    const res = await postLead(body);
    const problem = await expectProblem(res, 400, PROBLEM_TYPES.validation);
    const error = problem.errors?.find((e) => e.path === path);
    expect(error, `an error at ${path} in ${JSON.stringify(problem.errors)}`).toBeDefined();
    expect(error!.message).toMatch(message);
    expect(problem.detail).toContain(problem.errors![0]!.path);
    expect(await storedFor(site, typeof body.email === 'string' ? body.email.trim() : undefined)).toEqual(NOTHING);
  });

  it('names every bad field at once', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { email: 'nope', company: LONG, role: '<i>x</i>', consent: false });
    const problem = await expectProblem(await postLead(body), 400, PROBLEM_TYPES.validation);
    expect(problem.errors!.map((e) => e.path).sort()).toEqual(['/company', '/consent', '/email', '/role']);
    expect(await storedFor(site)).toEqual(NOTHING);
  });

  it('a body over the size limit: 413, nothing stored', async () => {
    const { site, magnet } = await setupMagnet();
    const body = submission(site, magnet, { hp: 'x'.repeat(20_000) });
    await expectProblem(await postLead(body), 413, PROBLEM_TYPES.tooLarge);
    expect(await storedFor(site)).toEqual(NOTHING);
  });

  it('malformed JSON and arrays: 400, nothing stored', async () => {
    const { site } = await setupMagnet();
    await expectProblem(await postLead(null, { raw: '{"site":' }), 400, PROBLEM_TYPES.malformed);
    await expectProblem(await postLead([]), 400, PROBLEM_TYPES.validation);
    expect(await storedFor(site)).toEqual(NOTHING);
  });
});

import * as v from 'valibot';
import { checkAnswer, signAnswer, type AnswerGrant, type LinkCheck } from '../../core/signing';
import { OWNER_ID } from './schemas';
import { siteId } from '../../core/schemas/events';
import { intParam, MAX_DATE_MS } from '../../core/schemas/instant';

/**
 * The owner's answer link: "accept or reject this lead" in one click from
 * the alert mail, without an API key. It is signed and names the
 * assignment, so it is void once the lead is someone else's; it expires
 * after ANSWER_LINK_DAYS. Opening it only shows the lead: the answer is the
 * button on that page (a POST), so a mail scanner that opens links answers
 * nothing.
 */

export const ANSWER_LINK_DAYS = 14;

export const ANSWER_PATH = '/v1/sales/answer';

export async function answerUrl(secret: string, base: string, g: Omit<AnswerGrant, 'expires'>): Promise<string> {
  const grant = { ...g, expires: Math.floor((g.assignedAt + ANSWER_LINK_DAYS * 86_400_000) / 1000) };
  const url = new URL(ANSWER_PATH, base);
  url.search = new URLSearchParams({
    s: grant.site, l: grant.lead, o: grant.owner, a: String(grant.assignedAt), e: String(grant.expires), sig: await signAnswer(secret, grant),
  }).toString();
  return url.href;
}

/** The link's parameters (query of the page, fields of its form). */
export const answerParams = v.object({
  s: siteId,
  l: v.pipe(v.string('is required'), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a lead id')),
  o: v.pipe(v.string('is required'), v.regex(OWNER_ID, 'must be an owner id')),
  a: intParam(0),
  e: intParam(0, MAX_DATE_MS / 1000),
  sig: v.pipe(v.string('is required'), v.regex(/^[A-Za-z0-9_-]{43}$/, 'must be the signature from the mail')),
});

export type AnswerParams = v.InferOutput<typeof answerParams>;

export const grantOf = (p: AnswerParams): AnswerGrant => ({ site: p.s, lead: p.l, owner: p.o, assignedAt: p.a, expires: p.e });

export const checkAnswerLink = (secret: string, p: AnswerParams, now: number): Promise<LinkCheck> => checkAnswer(secret, grantOf(p), p.sig, now);

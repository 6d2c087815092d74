import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { PROBLEM_TYPES, type Lang } from '../../../protocol';
import { randomToken } from '../../core/crypto';
import { InvalidInput, Refused } from '../../core/errors';
import { readForm } from '../../http/body';
import { ProblemError } from '../../http/problem';
import { sendPage, wantsJson } from '../../http/page-response';
import type { AppEnv } from '../../platform/env';
import { mailLinkBase } from '../../platform/request';
import { getLead } from '../leads';
import { profileLine, who } from '../../core/mail/owner-alert';
import { signingKey } from '../mail';
import { scoreView } from '../scoring';
import { getSite } from '../sites';
import { ANSWER_PATH, answerParams, checkAnswerLink } from './answer-link';
import { answeredPage, answerErrorPage, answerPage, type AnswerError } from './answer-pages';
import { followUp } from './follow-up';
import { getOwner } from './owners-store';
import { getSalesSettings } from './settings-store';
import { updateLead } from './write-back';

const FORM_BYTES = 4096;
const WHY_SHOWN = 5;

/** A link that cannot answer: its page for a person, problem+json for a client that asks for JSON. */
class AnswerRefused extends Error {
  constructor(readonly status: number, readonly error: AnswerError, readonly lang: Lang, readonly site: string | null) {
    super(error);
  }
}

/** The lead and owner a valid link names, or why it answers nothing. */
async function resolve(c: Context<AppEnv>, raw: Record<string, string>, now: number) {
  const parsed = v.safeParse(answerParams, raw);
  if (!parsed.success) throw new AnswerRefused(400, 'invalid', 'en', null);
  const p = parsed.output;
  const db = c.env.DB;
  const check = await checkAnswerLink(signingKey(c.env), p, now);
  const [site, owner] = check === 'bad-signature' ? [null, null] : await Promise.all([getSite(db, p.s), getOwner(db, p.s, p.o)]);
  const lang = owner?.lang ?? 'en';
  if (check === 'bad-signature' || !site || !owner) throw new AnswerRefused(403, 'invalid', lang, site?.name ?? null);
  if (check === 'expired') throw new AnswerRefused(410, 'expired', lang, site.name);
  const lead = await getLead(db, p.s, p.l);
  if (!lead || lead.status === 'withdrawn') throw new AnswerRefused(410, 'gone', lang, site.name);
  if (lead.sales.ownerId !== p.o || lead.sales.assignedAt !== p.a) throw new AnswerRefused(409, 'passedOn', lang, site.name);
  return { p, site, owner, lead, lang };
}

async function viewOf(c: Context<AppEnv>, r: Awaited<ReturnType<typeof resolve>>, now: number) {
  const { lead } = r;
  const [score, { settings }] = await Promise.all([scoreView(c.env.DB, r.site.id, lead.id, now), getSalesSettings(c.env.DB, r.site.id)]);
  const lines = score?.explanation?.lines ?? [];
  return {
    siteName: r.site.name,
    ownerName: r.owner.name,
    who: who(lead),
    profile: profileLine(lead),
    score: score && score.score !== null && score.stage && score.temperature
      ? { score: Math.round(score.score), stage: score.stage, temperature: score.temperature } : null,
    why: [...lines].sort((a, b) => Math.abs(b.points) - Math.abs(a.points)).slice(0, WHY_SHOWN)
      .map((l) => `${l.points >= 0 ? '+' : ''}${Math.round(l.points)}  ${l.label ?? l.id}${l.count > 1 ? ` ×${l.count}` : ''}`),
    status: lead.sales.status,
    dueAt: lead.sales.slaDueAt,
    reasons: settings.rejectReasons,
  };
}

/** Runs a handler; a refused link becomes its page (or a problem for JSON clients). */
async function orRefusal(c: Context<AppEnv>, handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (err) {
    if (!(err instanceof AnswerRefused)) throw err;
    if (wantsJson(c)) {
      const type = err.status === 400 ? PROBLEM_TYPES.validation : err.status === 403 ? PROBLEM_TYPES.forbidden : err.status === 409 ? PROBLEM_TYPES.conflict : PROBLEM_TYPES.gone;
      throw new ProblemError(err.status, type, 'Answer link refused', `This answer link cannot answer: ${err.error}.`);
    }
    return sendPage(c, answerErrorPage(err.lang, err.site, err.error, randomToken(16)), err.status);
  }
}

/**
 * The owner's one-click answer (answer-link.ts): GET shows the lead and the
 * two buttons and changes nothing; the POST of a button accepts or rejects,
 * through the same write-back as the API, recorded as the owner's own.
 */
export const answerRoutes = new Hono<AppEnv>()
  .get(ANSWER_PATH, (c) => orRefusal(c, async () => {
    const now = Date.now();
    const r = await resolve(c, c.req.query(), now);
    return sendPage(c, answerPage(r.lang, await viewOf(c, r, now), r.p, randomToken(16)));
  }))
  .post(ANSWER_PATH, (c) => orRefusal(c, async () => {
    const now = Date.now();
    const form = Object.fromEntries(await readForm(c.req.raw, { maxBytes: FORM_BYTES }));
    const r = await resolve(c, form, now);
    const answer = form.answer === 'accepted' || form.answer === 'rejected' ? form.answer : null;
    if (!answer) throw new AnswerRefused(400, 'invalid', r.lang, r.site.name);
    const reason = answer === 'rejected' ? (form.reason ?? '') : null;
    try {
      const out = await updateLead(c.env.DB, r.lead.id, { status: answer, ...(reason !== null ? { reason } : {}) }, {
        siteId: r.site.id, actor: `owner:${r.owner.id}`, now, linkBase: mailLinkBase(c.env),
      });
      followUp(c, out.followUp);
    } catch (err) {
      // Answered already (or in between): the page shows where the lead stands now.
      if (err instanceof Refused || err instanceof InvalidInput) {
        const again = await resolve(c, form, now).catch(() => null);
        if (again) return sendPage(c, answerPage(again.lang, await viewOf(c, again, now), again.p, randomToken(16)), err instanceof Refused ? 409 : 400);
      }
      throw err;
    }
    return sendPage(c, answeredPage(r.lang, r.site.name, answer, reason, randomToken(16)));
  }));


import type { Lang } from '../../../protocol';
import type { SalesStatus } from '../../core/sales';
import { escapeHtml as e } from '../../core/mail/escape';
import { layout, type Page } from '../../http/page-layout';
import { ANSWER_PATH, type AnswerParams } from './answer-link';

/**
 * The pages behind the owner's answer link (answer-routes.ts): the lead with
 * its score and why, and two buttons, accept or reject with a reason; the
 * page after the answer; and what a void, expired or passed-on link shows.
 * German and English, in the owner's language. No script: plain forms.
 */

export interface AnswerView {
  siteName: string;
  ownerName: string;
  who: string;
  profile: string;
  score: { score: number; stage: string; temperature: 'cold' | 'warm' | 'hot' } | null;
  why: string[];
  status: SalesStatus | null;
  /** When the owner must answer by (null: no deadline). */
  dueAt: number | null;
  reasons: readonly string[];
}

export type AnswerError = 'invalid' | 'expired' | 'passedOn' | 'gone';

interface Copy {
  title: string;
  hello: (name: string) => string;
  intro: (due: string | null) => string;
  why: string;
  score: (s: NonNullable<AnswerView['score']>) => string;
  accept: string;
  reject: string;
  reason: string;
  state: (status: string) => string;
  status: Record<SalesStatus, string>;
  reasons: Record<string, string>;
  doneTitle: Record<'accepted' | 'rejected', string>;
  done: Record<'accepted' | 'rejected', string>;
  errors: Record<AnswerError, { title: string; text: string }>;
  footer: (site: string) => string;
}

const when = (lang: Lang, ms: number) =>
  new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(ms) + ' UTC';

const COPY: Record<Lang, Copy> = {
  en: {
    title: 'A lead for you',
    hello: (n) => `Hello ${n},`,
    intro: (d) => `this lead is assigned to you. Accept it if you will contact them, or reject it with a reason${d ? ` (please answer by ${d})` : ''}.`,
    why: 'Why this score',
    score: (s) => `Score ${s.score} · ${s.stage.toUpperCase()} · ${s.temperature}`,
    accept: 'Accept lead',
    reject: 'Reject lead',
    reason: 'Reason for rejecting',
    state: (s) => `This lead is ${s}. Nothing more to do here.`,
    status: { open: 'waiting for your answer', accepted: 'accepted', rejected: 'rejected', recycled: 'back with marketing', opportunity: 'an opportunity', won: 'won', lost: 'lost' },
    reasons: { no_budget: 'No budget', wrong_person: 'Wrong person', competitor: 'Competitor', bad_data: 'Bad data', no_need: 'No need', duplicate: 'Duplicate' },
    doneTitle: { accepted: 'Lead accepted', rejected: 'Lead rejected' },
    done: {
      accepted: 'Thank you. The lead is yours; your CRM hears of it through its sync.',
      rejected: 'Thank you. The lead is closed with your reason, so marketing can learn from it.',
    },
    errors: {
      invalid: { title: 'This link is not valid', text: 'Please open the link from the e-mail again, in full.' },
      expired: { title: 'This link has expired', text: 'Answer through your CRM, or ask for the lead to be assigned again.' },
      passedOn: { title: 'This lead is no longer yours', text: 'It was passed on to someone else, so this link answers nothing.' },
      gone: { title: 'This lead is no longer available', text: 'The person withdrew consent or the lead was erased.' },
    },
    footer: (s) => `Lodestone for ${s}, for its sales team.`,
  },
  de: {
    title: 'Ein Lead für Sie',
    hello: (n) => `Hallo ${n},`,
    intro: (d) => `dieser Lead ist Ihnen zugeteilt. Nehmen Sie ihn an, wenn Sie Kontakt aufnehmen, oder lehnen Sie ihn mit Grund ab${d ? ` (bitte bis ${d})` : ''}.`,
    why: 'Warum dieser Score',
    score: (s) => `Score ${s.score} · ${s.stage.toUpperCase()} · ${({ cold: 'kalt', warm: 'warm', hot: 'heiß' } as const)[s.temperature]}`,
    accept: 'Lead annehmen',
    reject: 'Lead ablehnen',
    reason: 'Grund der Ablehnung',
    state: (s) => `Dieser Lead ist ${s}. Hier ist nichts mehr zu tun.`,
    status: { open: 'offen für Ihre Antwort', accepted: 'angenommen', rejected: 'abgelehnt', recycled: 'zurück im Marketing', opportunity: 'eine Verkaufschance', won: 'gewonnen', lost: 'verloren' },
    reasons: { no_budget: 'Kein Budget', wrong_person: 'Falsche Person', competitor: 'Wettbewerber', bad_data: 'Falsche Daten', no_need: 'Kein Bedarf', duplicate: 'Dublette' },
    doneTitle: { accepted: 'Lead angenommen', rejected: 'Lead abgelehnt' },
    done: {
      accepted: 'Danke. Der Lead gehört Ihnen; Ihr CRM erfährt es über die Anbindung.',
      rejected: 'Danke. Der Lead ist mit Ihrem Grund geschlossen, damit das Marketing daraus lernt.',
    },
    errors: {
      invalid: { title: 'Dieser Link ist ungültig', text: 'Bitte öffnen Sie den Link aus der E-Mail noch einmal vollständig.' },
      expired: { title: 'Dieser Link ist abgelaufen', text: 'Antworten Sie über Ihr CRM oder lassen Sie sich den Lead erneut zuteilen.' },
      passedOn: { title: 'Dieser Lead ist nicht mehr Ihrer', text: 'Er wurde an eine andere Person weitergegeben; dieser Link bewirkt nichts mehr.' },
      gone: { title: 'Dieser Lead ist nicht mehr verfügbar', text: 'Die Person hat ihre Einwilligung widerrufen oder der Lead wurde gelöscht.' },
    },
    footer: (s) => `Lodestone für ${s}, für das eigene Vertriebsteam.`,
  },
};

/** A reason's words: the built-in ones translated, a site's own shown as written. */
export const reasonLabel = (lang: Lang, reason: string) => COPY[lang].reasons[reason] ?? reason.replace(/[_-]+/g, ' ');

const hidden = (p: AnswerParams) =>
  (['s', 'l', 'o', 'a', 'e', 'sig'] as const).map((k) => `<input type="hidden" name="${k}" value="${e(String(p[k]))}">`).join('');

const frame = (lang: Lang, site: string, title: string, body: string, nonce: string): Page =>
  layout({ lang, title, nonce, body: `<p class="site">${e(site)}</p>\n<h1>${e(title)}</h1>\n${body}\n<p class="site">${e(COPY[lang].footer(site))}</p>` });

export function answerPage(lang: Lang, v: AnswerView, params: AnswerParams, nonce: string): Page {
  const c = COPY[lang];
  const lead = `<p><strong>${e(v.who)}</strong>${v.profile ? `<br>${e(v.profile)}` : ''}</p>${v.score ? `<p>${e(c.score(v.score))}</p>` : ''}`
    + (v.why.length ? `<h2>${e(c.why)}</h2><ul>${v.why.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : '');
  if (v.status !== 'open') {
    return frame(lang, v.siteName, c.title, `${lead}<p role="status">${e(c.state(c.status[v.status ?? 'open']))}</p>`, nonce);
  }
  const options = v.reasons.map((r) => `<option value="${e(r)}">${e(reasonLabel(lang, r))}</option>`).join('');
  const body = `<p>${e(c.hello(v.ownerName))}<br>${e(c.intro(v.dueAt ? when(lang, v.dueAt) : null))}</p>
${lead}
<form method="post" action="${ANSWER_PATH}" class="answer">${hidden(params)}<input type="hidden" name="answer" value="accepted"><button type="submit">${e(c.accept)}</button></form>
<form method="post" action="${ANSWER_PATH}" class="answer">${hidden(params)}<input type="hidden" name="answer" value="rejected">
<label for="reason">${e(c.reason)}</label> <select id="reason" name="reason">${options}</select>
<button type="submit" class="secondary">${e(c.reject)}</button></form>`;
  return frame(lang, v.siteName, c.title, body, nonce);
}

export function answeredPage(lang: Lang, site: string, answer: 'accepted' | 'rejected', reason: string | null, nonce: string): Page {
  const c = COPY[lang];
  const why = answer === 'rejected' && reason ? ` (${reasonLabel(lang, reason)})` : '';
  return frame(lang, site, c.doneTitle[answer], `<p role="status">${e(c.done[answer])}${e(why)}</p>`, nonce);
}

export function answerErrorPage(lang: Lang, site: string | null, error: AnswerError, nonce: string): Page {
  const c = COPY[lang].errors[error];
  return frame(lang, site ?? 'Lodestone', c.title, `<p>${e(c.text)}</p>`, nonce);
}
